// The pets function of the example: answers GET /pets/{petId} and POST /pets through a Lambda
// proxy integration (payload format 1.0).
const pets = new Map([
  ['1', { id: 1, type: 'dog', price: 249.99 }],
  ['2', { id: 2, type: 'cat', price: 124.99 }],
]);

const json = (statusCode, body) => ({
  statusCode,
  headers: { 'Content-Type': 'application/json', 'X-Store-Name': process.env.STORE_NAME ?? '' },
  body: JSON.stringify(body),
});

export const handler = async (event, context) => {
  if (event.httpMethod === 'GET') {
    const pet = pets.get(event.pathParameters?.petId ?? '');
    return pet ? json(200, pet) : json(404, { message: `No pet ${event.pathParameters?.petId}` });
  }
  let input;
  try {
    input = JSON.parse(event.body ?? '');
  } catch {
    return json(400, { message: 'Send a JSON pet, e.g. {"type": "fish", "price": 9.99}' });
  }
  if (typeof input?.type !== 'string') return json(400, { message: 'A pet needs a type' });
  const id = pets.size + 1;
  // Bounded: the example keeps at most 100 pets in memory.
  if (pets.size >= 100) return json(507, { message: 'The store is full' });
  const pet = { id, type: input.type, price: Number(input.price ?? 0) };
  pets.set(String(id), pet);
  return json(201, { ...pet, requestId: context.awsRequestId });
};
