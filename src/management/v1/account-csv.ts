/**
 * The CSV dialect of API key files: comma-separated cells, a cell optionally enclosed in double
 * or single quotes (so a UsagePlanIds cell can hold commas), a doubled quote inside quotes
 * standing for one, CRLF or LF line ends. Blank lines are skipped.
 */
import { badRequest } from '../errors.js';

/** Rows of cells; cells outside quotes are trimmed of surrounding spaces. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  const endCell = (): void => {
    row.push(quoted ? cell : cell.trim());
    cell = '';
    quoted = false;
  };
  const endRow = (): void => {
    endCell();
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
  };
  while (i < text.length) {
    const ch = text[i]!;
    if ((ch === '"' || ch === "'") && cell.trim() === '') {
      // An opening quote: read to its closing partner.
      const close = ch;
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw badRequest('The API key file has an unterminated quoted value');
        const c = text[i]!;
        if (c === close) {
          if (text[i + 1] === close) {
            value += close;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += c;
        i++;
      }
      cell = value;
      quoted = true;
      while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
      continue;
    }
    if (ch === ',') endCell();
    else if (ch === '\n') endRow();
    else if (ch === '\r') {
      if (text[i + 1] !== '\n') endRow();
    } else if (!quoted) cell += ch;
    else throw badRequest('The API key file has text after a closing quote');
    i++;
  }
  if (cell !== '' || quoted || row.length > 0) endRow();
  return rows;
}
