import { Type } from '@sinclair/typebox';
import type { TObject } from '@sinclair/typebox';
import { MODEL_PERMISSIONS, MODEL_VISIBILITIES } from '../access';
import { ROLES, RUN_STATUSES, STAGES } from '../events';
import { anyObject, stringEnum } from '../schema';
import type { StreamCategory } from '../streams';

// The public payload (CloudEvents `data`) of every event the registry publishes, version 1: one TypeBox definition
// per event type, from which the TypeScript type, the JSON Schema in docs/api/asyncapi.yaml and the compile-time
// check against the stored event (integration-events.ts) all come. A public shape changes only by adding a V2
// definition beside V1; the stored shape changes only through an upcaster (events/upcasters.ts).

const CLOSED = { additionalProperties: false } as const;

const ModelId = Type.String({ format: 'uuid', description: 'Model id (stable across renames).' });
const VersionNumber = Type.Integer({ minimum: 1, description: 'Version number (1, 2, 3 … never reused).' });
const Uuid = Type.String({ format: 'uuid' });
const Size = Type.Integer({ minimum: 0 });
const Sha256 = Type.String({ pattern: '^[0-9a-f]{64}$' });
const Tags = Type.Record(Type.String(), Type.String());
const StringMap = Type.Record(Type.String(), Type.String());
const MetricMap = Type.Record(Type.String(), Type.Number());
const Stage = stringEnum(STAGES);
const StageRule = Type.Object({ requiredApprovals: Type.Integer({ minimum: 0 }), approverRole: stringEnum(ROLES) }, CLOSED);
const ApprovalPolicy = Type.Object({ development: StageRule, staging: StageRule, production: StageRule, archived: StageRule }, CLOSED);
const AliasProtection = Type.Object({ stage: Stage, role: stringEnum(ROLES) }, CLOSED);
const DatasetRef = Type.Object({ name: Type.String(), uri: Type.String(), digest: Type.Optional(Type.String({ description: '<algorithm>:<digest>' })) }, CLOSED);
const Lineage = Type.Object(
  {
    datasets: Type.Array(DatasetRef),
    codeRepository: Type.Optional(Type.String()),
    codeCommit: Type.Optional(Type.String()),
    pipeline: Type.Optional(Type.String()),
  },
  CLOSED,
);
const ArtifactEntry = Type.Object({ path: Type.String(), size: Size, sha256: Sha256, contentType: Type.String() }, CLOSED);
/** MLflow sends NaN and the infinities as strings (protobuf JSON); every other value is a number. */
const MetricValue = Type.Union([Type.Number(), stringEnum(['NaN', 'Infinity', '-Infinity'])]);

/** One public event type at one version: the stream category it happens on (`ce_subject`), what it means, its data. */
export interface PublicEventDefinition<D extends TObject = TObject> {
  readonly version: number;
  readonly stream: StreamCategory;
  readonly summary: string;
  readonly data: D;
}

function v1<D extends TObject>(stream: StreamCategory, summary: string, data: D): PublicEventDefinition<D> & { readonly version: 1 } {
  return { version: 1, stream, summary, data };
}

/** Public events of the registration context (topic `mreg.registration.events.v1`). */
export const REGISTRATION_EVENTS_V1 = {
  ModelNameReserved: v1('model-name', 'A model name was reserved for a model (names are unique case-insensitively).', Type.Object({ name: Type.String(), modelId: ModelId }, CLOSED)),
  ModelNameReleased: v1('model-name', 'A model gave up a name (renamed or deleted).', Type.Object({ name: Type.String(), modelId: ModelId }, CLOSED)),
  ModelRegistered: v1('model', 'A model was registered.', Type.Object({ modelId: ModelId, name: Type.String(), description: Type.String(), tags: Tags }, CLOSED)),
  ModelDescriptionChanged: v1('model', "A model's description changed.", Type.Object({ modelId: ModelId, description: Type.String() }, CLOSED)),
  ModelRenamed: v1('model', 'A model was renamed.', Type.Object({ modelId: ModelId, from: Type.String(), to: Type.String() }, CLOSED)),
  ModelTagSet: v1('model', 'A model tag was set.', Type.Object({ modelId: ModelId, key: Type.String(), value: Type.String() }, CLOSED)),
  ModelTagRemoved: v1('model', 'A model tag was removed.', Type.Object({ modelId: ModelId, key: Type.String() }, CLOSED)),
  ModelVersionNumberAllocated: v1(
    'model',
    'A version number was handed out; the version stream is created right after (a crash in between leaves a gap, never a duplicate).',
    Type.Object({ modelId: ModelId, version: VersionNumber }, CLOSED),
  ),
  AliasAssigned: v1('model', 'An alias (champion, challenger …) now points at a version.', Type.Object({ modelId: ModelId, alias: Type.String(), version: VersionNumber, previousVersion: Type.Optional(VersionNumber) }, CLOSED)),
  AliasRemoved: v1('model', 'An alias was removed.', Type.Object({ modelId: ModelId, alias: Type.String(), version: VersionNumber }, CLOSED)),
  ModelDeleted: v1('model', 'A model was deleted.', Type.Object({ modelId: ModelId, name: Type.String() }, CLOSED)),
  ModelRestored: v1(
    'model',
    'An admin restored a deleted model, with its versions, aliases and tags as they were; `name` is the name it holds again (another one when its old name was taken meanwhile).',
    Type.Object({ modelId: ModelId, name: Type.String() }, CLOSED),
  ),
  ModelAccessGranted: v1(
    'model',
    'A user or group (`user:<name>`, `group:<name>`) now holds a permission on the model (read, write or manage), replacing any earlier one.',
    Type.Object({ modelId: ModelId, subject: Type.String(), permission: stringEnum(MODEL_PERMISSIONS) }, CLOSED),
  ),
  ModelAccessRevoked: v1('model', 'A user or group lost its grant on the model.', Type.Object({ modelId: ModelId, subject: Type.String() }, CLOSED)),
  ModelVisibilityChanged: v1(
    'model',
    'Who may read the model without a grant: `registry` (every authenticated caller) or `private` (its grantees and admins only).',
    Type.Object({ modelId: ModelId, visibility: stringEnum(MODEL_VISIBILITIES) }, CLOSED),
  ),
  ModelVersionCreated: v1(
    'version',
    'A version was registered (over HTTP, or from a training run) with its params, metrics, tags, lineage and signature; it starts in development.',
    Type.Object(
      {
        modelId: ModelId,
        modelName: Type.String(),
        version: VersionNumber,
        description: Type.String(),
        source: Type.Optional(Type.String({ description: 'Where the model came from (URI).' })),
        runId: Type.Optional(Type.String({ description: 'The training run that produced it.' })),
        params: StringMap,
        metrics: MetricMap,
        tags: Tags,
        lineage: Lineage,
        signature: Type.Optional(anyObject({ description: 'Input/output schema.' })),
        loggedModelId: Type.Optional(Type.String({ description: 'The MLflow logged model (`m-…`) the version was registered from.' })),
        artifactSource: Type.Optional(Type.String({ description: "Where in the MLflow artifact tree the version's files are (imported into its manifest by ArtifactsImported)." })),
      },
      CLOSED,
    ),
  ),
  ModelVersionDescriptionChanged: v1('version', "A version's description changed.", Type.Object({ modelId: ModelId, version: VersionNumber, description: Type.String() }, CLOSED)),
  ModelVersionTagSet: v1('version', 'A version tag was set.', Type.Object({ modelId: ModelId, version: VersionNumber, key: Type.String(), value: Type.String() }, CLOSED)),
  ModelVersionTagRemoved: v1('version', 'A version tag was removed.', Type.Object({ modelId: ModelId, version: VersionNumber, key: Type.String() }, CLOSED)),
  ModelVersionStageChanged: v1(
    'version',
    'A version moved to another stage (an approved transition applied; `archived-existing` for the production version a promotion replaced). The event deployment systems watch.',
    Type.Object({ modelId: ModelId, version: VersionNumber, from: Stage, to: Stage, transitionId: Uuid, reason: stringEnum(['requested', 'archived-existing']) }, CLOSED),
  ),
  ModelVersionStageChangeRefused: v1(
    'version',
    'An approved transition could not be applied (the version moved or was deleted meanwhile).',
    Type.Object({ modelId: ModelId, version: VersionNumber, transitionId: Uuid, reason: Type.String() }, CLOSED),
  ),
  ModelVersionDeleted: v1('version', 'A version was deleted.', Type.Object({ modelId: ModelId, version: VersionNumber }, CLOSED)),
  TrainingRunLinked: v1('training-run', 'A training run claimed the version number it registers (at most one per model and run id).', Type.Object({ modelId: ModelId, runId: Type.String(), version: VersionNumber }, CLOSED)),
};

/** Public events of the governance context (topic `mreg.governance.events.v1`). */
export const GOVERNANCE_EVENTS_V1 = {
  ApprovalPolicySet: v1('policy', "A model's approval policy was set.", Type.Object({ modelId: ModelId, policy: ApprovalPolicy }, CLOSED)),
  ProtectedAliasesSet: v1(
    'policy',
    "The aliases a model's policy protects were set (all of them; {} for none): only a holder of `role`, or an admin, moves or removes a protected alias, and only onto a version in `stage`.",
    Type.Object({ modelId: ModelId, protectedAliases: Type.Record(Type.String(), AliasProtection) }, CLOSED),
  ),
  TransitionRequested: v1(
    'transition',
    'A stage change was requested.',
    Type.Object(
      {
        transitionId: Uuid,
        modelId: ModelId,
        modelName: Type.String(),
        version: VersionNumber,
        fromStage: Stage,
        toStage: Stage,
        requestedBy: Type.String(),
        comment: Type.String(),
        archiveExisting: Type.Boolean(),
        rule: StageRule,
      },
      CLOSED,
    ),
  ),
  TransitionApprovalGiven: v1('transition', 'Someone approved a transition request.', Type.Object({ transitionId: Uuid, modelId: ModelId, version: VersionNumber, by: Type.String(), comment: Type.String() }, CLOSED)),
  TransitionApproved: v1(
    'transition',
    'A request has all the approvals its policy needs; registration applies it.',
    Type.Object(
      {
        transitionId: Uuid,
        modelId: ModelId,
        version: VersionNumber,
        fromStage: Stage,
        toStage: Stage,
        archiveExisting: Type.Boolean(),
        approvers: Type.Array(Type.String()),
      },
      CLOSED,
    ),
  ),
  TransitionRejected: v1('transition', 'A request was rejected.', Type.Object({ transitionId: Uuid, modelId: ModelId, version: VersionNumber, by: Type.String(), comment: Type.String() }, CLOSED)),
  TransitionCancelled: v1('transition', 'A request was cancelled.', Type.Object({ transitionId: Uuid, modelId: ModelId, version: VersionNumber, by: Type.String(), comment: Type.String() }, CLOSED)),
  TransitionApplied: v1('transition', 'The stage change was applied.', Type.Object({ transitionId: Uuid, modelId: ModelId, version: VersionNumber, toStage: Stage }, CLOSED)),
  TransitionFailed: v1('transition', 'The stage change could not be applied.', Type.Object({ transitionId: Uuid, modelId: ModelId, version: VersionNumber, reason: Type.String() }, CLOSED)),
  VersionTransitionOpened: v1('version-transitions', 'A version has an open transition request (at most one at a time).', Type.Object({ modelId: ModelId, version: VersionNumber, transitionId: Uuid, toStage: Stage }, CLOSED)),
  VersionTransitionClosed: v1('version-transitions', "A version's open request was closed.", Type.Object({ modelId: ModelId, version: VersionNumber, transitionId: Uuid }, CLOSED)),
  ApiTokenCreated: v1(
    'api-token',
    "An API token was issued to `owner` (by the event's actor: the owner, or an admin), acting with `roles` and, when `models` is there, only on those models (ids), until `expiresAt`. `secretSha256` is the SHA-256 of the token's 256-bit random secret, which is never stored or published.",
    Type.Object(
      {
        tokenId: Uuid,
        name: Type.String(),
        owner: Type.String(),
        roles: Type.Array(stringEnum(ROLES)),
        models: Type.Optional(Type.Array(ModelId)),
        expiresAt: Type.String({ format: 'date-time' }),
        secretSha256: Sha256,
      },
      CLOSED,
    ),
  ),
  ApiTokenRevoked: v1('api-token', "An API token was revoked (by the event's actor): every service refuses it from now on.", Type.Object({ tokenId: Uuid }, CLOSED)),
};

/** Public events of the artifact context (topic `mreg.artifact.events.v1`). */
export const ARTIFACT_EVENTS_V1 = {
  ArtifactAdded: v1('artifacts', "A file was added to a version's artifact manifest.", Type.Object({ modelId: ModelId, version: VersionNumber, path: Type.String(), size: Size, sha256: Sha256, contentType: Type.String() }, CLOSED)),
  ArtifactsImported: v1(
    'artifacts',
    'The files a version registered through MLflow names (its artifactSource in the artifact tree) joined its manifest by digest, once.',
    Type.Object({ modelId: ModelId, version: VersionNumber, source: Type.String(), entries: Type.Array(ArtifactEntry) }, CLOSED),
  ),
  ArtifactTreeFileRecorded: v1(
    'artifact-tree',
    "A file was uploaded through MLflow's artifact proxy (the latest upload of a path is its content).",
    Type.Object({ root: Type.String(), path: Type.String(), size: Size, sha256: Sha256, contentType: Type.String() }, CLOSED),
  ),
  ArtifactTreeFileRemoved: v1('artifact-tree', "A file was deleted through MLflow's artifact proxy.", Type.Object({ root: Type.String(), path: Type.String() }, CLOSED)),
};

/** Public events of the tracking context (topic `mreg.tracking.events.v1`). */
export const TRACKING_EVENTS_V1 = {
  ExperimentNameReserved: v1('experiment-name', 'An experiment name was reserved for an experiment (names are unique as written).', Type.Object({ name: Type.String(), experimentId: Type.String() }, CLOSED)),
  ExperimentNameReleased: v1('experiment-name', 'An experiment name was released (rename).', Type.Object({ name: Type.String(), experimentId: Type.String() }, CLOSED)),
  ExperimentCreated: v1('experiment', 'An MLflow experiment was created.', Type.Object({ experimentId: Type.String(), name: Type.String(), artifactLocation: Type.String(), tags: Tags, at: Type.Integer() }, CLOSED)),
  ExperimentRenamed: v1('experiment', 'An experiment was renamed.', Type.Object({ experimentId: Type.String(), from: Type.String(), to: Type.String(), at: Type.Integer() }, CLOSED)),
  ExperimentTagSet: v1('experiment', 'An experiment tag was set.', Type.Object({ experimentId: Type.String(), key: Type.String(), value: Type.String(), at: Type.Integer() }, CLOSED)),
  ExperimentTagDeleted: v1('experiment', 'An experiment tag was deleted.', Type.Object({ experimentId: Type.String(), key: Type.String(), at: Type.Integer() }, CLOSED)),
  ExperimentDeleted: v1('experiment', 'An experiment was deleted (it keeps its name and can be restored).', Type.Object({ experimentId: Type.String(), at: Type.Integer() }, CLOSED)),
  ExperimentRestored: v1('experiment', 'A deleted experiment was restored.', Type.Object({ experimentId: Type.String(), at: Type.Integer() }, CLOSED)),
  RunCreated: v1(
    'run',
    'An MLflow run started.',
    Type.Object(
      {
        runId: Type.String(),
        experimentId: Type.String(),
        userId: Type.String(),
        runName: Type.String(),
        startTime: Type.Integer(),
        tags: Tags,
        artifactUri: Type.String(),
      },
      CLOSED,
    ),
  ),
  RunParamsLogged: v1('run', 'Params were logged (set once per key).', Type.Object({ runId: Type.String(), params: Tags }, CLOSED)),
  RunMetricsLogged: v1(
    'run',
    'Metric values were logged (every value is kept: the history).',
    Type.Object(
      {
        runId: Type.String(),
        metrics: Type.Array(
          Type.Object(
            {
              key: Type.String(),
              value: MetricValue,
              timestamp: Type.Integer(),
              step: Type.Integer(),
              loggedModelId: Type.Optional(Type.String()),
              datasetName: Type.Optional(Type.String()),
              datasetDigest: Type.Optional(Type.String()),
            },
            CLOSED,
          ),
        ),
      },
      CLOSED,
    ),
  ),
  RunTagsSet: v1('run', 'Run tags were set.', Type.Object({ runId: Type.String(), tags: Tags }, CLOSED)),
  RunTagDeleted: v1('run', 'A run tag was deleted.', Type.Object({ runId: Type.String(), key: Type.String() }, CLOSED)),
  RunUpdated: v1(
    'run',
    'A run changed status, end time or name.',
    Type.Object({ runId: Type.String(), status: Type.Optional(stringEnum(RUN_STATUSES)), endTime: Type.Optional(Type.Integer()), runName: Type.Optional(Type.String()) }, CLOSED),
  ),
  RunInputsLogged: v1(
    'run',
    "Datasets (and logged models) were recorded as a run's inputs.",
    Type.Object(
      {
        runId: Type.String(),
        datasets: Type.Array(
          Type.Object(
            {
              tags: Tags,
              dataset: Type.Object(
                {
                  name: Type.String(),
                  digest: Type.String(),
                  sourceType: Type.String(),
                  source: Type.String(),
                  schema: Type.Optional(Type.String()),
                  profile: Type.Optional(Type.String()),
                },
                CLOSED,
              ),
            },
            CLOSED,
          ),
        ),
        loggedModelIds: Type.Array(Type.String()),
      },
      CLOSED,
    ),
  ),
  RunOutputsLogged: v1('run', "Logged models were recorded as a run's outputs.", Type.Object({ runId: Type.String(), models: Type.Array(Type.Object({ loggedModelId: Type.String(), step: Type.Integer() }, CLOSED)) }, CLOSED)),
  RunDeleted: v1('run', 'A run was deleted.', Type.Object({ runId: Type.String(), at: Type.Integer() }, CLOSED)),
  RunRestored: v1('run', 'A deleted run was restored.', Type.Object({ runId: Type.String(), at: Type.Integer() }, CLOSED)),
  LoggedModelCreated: v1(
    'logged-model',
    'An MLflow 3 logged model was created (pending until finalized).',
    Type.Object(
      {
        loggedModelId: Type.String(),
        experimentId: Type.String(),
        name: Type.String(),
        modelType: Type.String(),
        params: Tags,
        tags: Tags,
        artifactLocation: Type.String(),
        at: Type.Integer(),
        sourceRunId: Type.Optional(Type.String()),
      },
      CLOSED,
    ),
  ),
  LoggedModelParamsLogged: v1('logged-model', 'Params of a logged model were logged.', Type.Object({ loggedModelId: Type.String(), params: Tags, at: Type.Integer() }, CLOSED)),
  LoggedModelFinalized: v1(
    'logged-model',
    'A logged model became READY or UPLOAD_FAILED.',
    Type.Object({ loggedModelId: Type.String(), status: stringEnum(['LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED']), at: Type.Integer() }, CLOSED),
  ),
  LoggedModelTagsSet: v1('logged-model', 'Logged model tags were set.', Type.Object({ loggedModelId: Type.String(), tags: Tags, at: Type.Integer() }, CLOSED)),
  LoggedModelTagDeleted: v1('logged-model', 'A logged model tag was deleted.', Type.Object({ loggedModelId: Type.String(), key: Type.String(), at: Type.Integer() }, CLOSED)),
  LoggedModelDeleted: v1('logged-model', 'A logged model was deleted.', Type.Object({ loggedModelId: Type.String(), at: Type.Integer() }, CLOSED)),
};
