import { Type } from '@sinclair/typebox';
import { INBOUND_TOPICS } from '../../topics';
import { anyObject, mapOf } from '../../schema';
import type { Shape } from '../../schema';

/** CloudEvents `type` of the message (`ce_type` header in binary mode, `type` in structured mode). */
export const TRAINING_RUN_COMPLETED_V1_TYPE = 'io.mreg.training.TrainingRunCompleted.v1';

/** Param, metric and tag keys: 1..250 letters, digits, spaces and "_", "-", ".", ":", "/"; no leading or trailing space. */
const KEY = '^(?=.{1,250}$)[A-Za-z0-9_.:/-](?:[A-Za-z0-9_.:/ -]*[A-Za-z0-9_.:/-])?$';
const StringMap = mapOf(KEY, Type.String({ maxLength: 5000 }), { maxProperties: 200 });
const Uri = (options: { description?: string } = {}) => Type.String({ ...options, format: 'uri', minLength: 1, maxLength: 2048 });
const Dataset = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.:/@+-]{0,255}$' }),
    uri: Uri(),
    digest: Type.Optional(Type.String({ description: '<algorithm>:<digest>, e.g. sha256:<hex>.', pattern: '^[a-z0-9-]{2,16}:[A-Za-z0-9+/=_-]{8,256}$' })),
  },
  { additionalProperties: false },
);

/**
 * The data of a TrainingRunCompleted CloudEvent on `mreg.training.events.v1`: a training run finished; its
 * model becomes a new version of `model` (the model is created when missing), once per (model, runId). The one
 * definition: the type below and the JSON Schema (this object, `docs/api/asyncapi.yaml`) come from it.
 */
export const TrainingRunCompletedV1 = Type.Object(
  {
    model: Type.String({
      description: 'Model name (unique case-insensitively): letters, digits, "_", "-", "."; no "..".',
      minLength: 1,
      maxLength: 256,
      pattern: '^(?!.*\\.\\.)[A-Za-z0-9][A-Za-z0-9_.-]*$',
    }),
    runId: Type.String({
      description: 'The training run; a second event with the same model and runId registers nothing new.',
      pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$',
    }),
    description: Type.Optional(Type.String({ maxLength: 5000 })),
    source: Type.Optional(Uri({ description: 'Where the model came from (absolute URI).' })),
    params: Type.Optional(StringMap),
    metrics: Type.Optional(mapOf(KEY, Type.Number(), { maxProperties: 200 })),
    tags: Type.Optional(StringMap),
    lineage: Type.Optional(
      Type.Object(
        {
          datasets: Type.Optional(Type.Array(Dataset, { maxItems: 100 })),
          codeRepository: Type.Optional(Uri()),
          codeCommit: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{7,64}$' })),
          pipeline: Type.Optional(Type.String({ maxLength: 512 })),
        },
        { additionalProperties: false },
      ),
    ),
    signature: Type.Optional(anyObject({ description: 'Input/output schema, any JSON object of at most 64 KiB.' })),
  },
  {
    $id: `urn:mreg:schema:${TRAINING_RUN_COMPLETED_V1_TYPE}`,
    title: 'TrainingRunCompletedV1',
    description:
      'CloudEvent data of type io.mreg.training.TrainingRunCompleted.v1 on topic mreg.training.events.v1: a training run finished; register its model as a new version of `model` (created when missing), once per (model, runId). The message needs an `authorization: Bearer <token>` header of a contributor.',
    additionalProperties: false,
  },
);
export type TrainingRunCompletedV1 = Shape<typeof TrainingRunCompletedV1>;

export const TRAINING_RUN_COMPLETED_V1 = {
  type: TRAINING_RUN_COMPLETED_V1_TYPE,
  topic: INBOUND_TOPICS.trainingEvents,
  rejectionsTopic: INBOUND_TOPICS.trainingRejections,
  schema: TrainingRunCompletedV1,
} as const;
