/**
 * apigateway (v1) SDK types and generation: GetSdkTypes and GetSdkType, the client SDK platforms
 * API Gateway generates for a stage and the parameters GetSdk takes for each, and GetSdk itself.
 * The ids and required parameters are the ones AWS documents for GetSdk (`classPrefix` for
 * objectivec and swift; groupId, invokerPackage, artifactId and artifactVersion for android;
 * serviceName and javaPackageName for java; the `service.name`/`ruby.gem-*` set for ruby). The
 * Java SDK's optional build settings (build system, group, artifact, version, licence text) are
 * left out: their parameter names are not documented. GetSdk generates the `javascript` client
 * (sdk-javascript.ts) from the stage's deployed snapshot; the other platforms are listed so
 * clients can discover them, but are not generated.
 */
import type { HandlerTable, OperationHandler } from '../operation.js';
import { badRequest, notFound } from '../errors.js';
import { readRestApi } from './api-document.js';
import { generateJavaScriptSdk } from './sdk-javascript.js';
import { compact } from './shapes.js';
import { stageNotFound } from './stage-rules.js';

interface SdkConfigurationProperty {
  name: string;
  friendlyName: string;
  description: string;
  required: boolean;
  defaultValue?: string;
}

interface SdkType {
  id: string;
  friendlyName: string;
  description: string;
  configurationProperties: SdkConfigurationProperty[];
}

const property = (name: string, friendlyName: string, description: string, required: boolean, defaultValue?: string): SdkConfigurationProperty => ({
  name,
  friendlyName,
  description,
  required,
  ...(defaultValue === undefined ? {} : { defaultValue }),
});

const classPrefix = property(
  'classPrefix',
  'Prefix',
  'Prepended to the names of the generated client and model classes, e.g. ABC gives ABCMyApiClient',
  true,
);

export const SDK_TYPES: readonly SdkType[] = [
  {
    id: 'android',
    friendlyName: 'Android',
    description: 'Java client for Android apps, built with Maven',
    configurationProperties: [
      property('groupId', 'Group ID', 'The groupId of the generated project in its pom.xml, e.g. com.mycompany', true),
      property('invokerPackage', 'Invoker package', 'The Java package of the generated client classes, e.g. com.mycompany.clientsdk', true),
      property('artifactId', 'Artifact ID', 'The artifactId of the generated project in its pom.xml: the jar name without the version', true),
      property('artifactVersion', 'Artifact version', 'The version of the generated artifact, major.minor.patch', true),
    ],
  },
  {
    id: 'java',
    friendlyName: 'Java',
    description: 'Java client for server and desktop applications',
    configurationProperties: [
      property('serviceName', 'Service Name', 'The name of the generated client class and of the project in its build file; no hyphens', true),
      property('javaPackageName', 'Java Package Name', 'The Java package of the generated classes; no hyphens', true),
    ],
  },
  {
    id: 'javascript',
    friendlyName: 'JavaScript',
    description: 'JavaScript client for browsers',
    configurationProperties: [],
  },
  {
    id: 'objectivec',
    friendlyName: 'iOS (Objective-C)',
    description: 'Objective-C client for iOS apps, built with the AWS Mobile SDK for iOS',
    configurationProperties: [classPrefix],
  },
  {
    id: 'ruby',
    friendlyName: 'Ruby',
    description: 'Ruby client packaged as a gem',
    configurationProperties: [
      property('service.name', 'Service Name', 'The name of the client, used as the gem\'s namespace; letters only', true),
      property('ruby.gem-name', 'Ruby Gem Name', 'The name of the gem; by default the lower-cased service name followed by -sdk', false),
      property('ruby.gem-version', 'Ruby Gem Version', 'The version of the gem', false, '1.0.0'),
    ],
  },
  {
    id: 'swift',
    friendlyName: 'iOS (Swift)',
    description: 'Swift client for iOS apps, built with the AWS Mobile SDK for iOS',
    configurationProperties: [classPrefix],
  },
];

const sdkTypeShape = (t: SdkType): Record<string, unknown> =>
  compact({ id: t.id, friendlyName: t.friendlyName, description: t.description, configurationProperties: t.configurationProperties });

// The list is fixed and short: GetSdkTypes' answer has no position to page with.
const getSdkTypes: OperationHandler = async () => ({ body: { item: SDK_TYPES.map(sdkTypeShape) } });

/** The SDK type `id`, or AWS's NotFoundException for an id it does not generate. */
function findSdkType(id: string): SdkType {
  const type = SDK_TYPES.find((t) => t.id === id);
  if (!type) throw notFound(`Invalid SDK type specified: ${id}`);
  return type;
}

const getSdkType: OperationHandler = async (_ctx, req) => ({ body: sdkTypeShape(findSdkType(req.path.id!)) });

/** `javascript_2024-05-01_13-45Z`: the SDK type and the UTC minute it was generated, as AWS names the download. */
const downloadName = (type: string, now: Date): string =>
  `${type}_${now.toISOString().slice(0, 16).replace('T', '_').replace(':', '-')}Z`;

/**
 * GetSdk: the stage's deployed API (never the editable one) as a client SDK archive. The
 * checks run in the order GetExport's do: API, stage, then the SDK type. A known type other
 * than javascript is a BadRequestException, the error GetSdk declares for a request that
 * cannot be served as asked: the type exists in API Gateway (so NotFoundException, which
 * means "no such type", would mislead), and the SDK clients model no NotImplementedException
 * for this operation.
 */
const getSdk: OperationHandler = async (ctx, req) => {
  const { restApiId, stageName, sdkType } = req.path as Record<string, string>;
  await readRestApi(ctx, ctx.store, restApiId!);
  const stage = await ctx.store.getStage(restApiId!, stageName!);
  if (!stage) throw stageNotFound();
  const type = findSdkType(sdkType!);
  if (type.id !== 'javascript') {
    throw badRequest(`SDK type '${type.id}' (${type.friendlyName}) is not generated by Portico; the supported SDK type is javascript`);
  }
  const deployment = await ctx.store.getDeployment(restApiId!, stage.deploymentId);
  if (!deployment) throw stageNotFound();
  // The path-style invoke URL (see gateway/dispatch.ts) on the host the caller reached Portico
  // by: it works from any HTTP client, where the host style needs *.localhost to resolve.
  const invokeUrl = `${ctx.baseUrl}/_aws/execute-api/${encodeURIComponent(restApiId!)}/${encodeURIComponent(stage.stageName)}`;
  const archive = await generateJavaScriptSdk({
    document: deployment.snapshot,
    deploymentId: deployment.id,
    deployedAt: deployment.createdDate,
    stageName: stage.stageName,
    invokeUrl,
    region: ctx.account.region,
  });
  return {
    status: 200,
    payload: archive,
    headers: {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="${downloadName(type.id, new Date())}.zip"`,
    },
  };
};

export const SDK_HANDLERS: HandlerTable = {
  GetSdkTypes: getSdkTypes,
  GetSdkType: getSdkType,
  GetSdk: getSdk,
};
