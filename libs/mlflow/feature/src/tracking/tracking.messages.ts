import { IntersectionType, PickType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, Min, ValidateBy, ValidateIf, ValidateNested } from 'class-validator';
import { MlflowMessage } from '@mreg/platform/runtime';
import { RUN_STATUSES } from '@mreg/shared/contracts';
import { IdText, Int64, ListOf, Optional, Text, TextList } from '../wire/fields';

// MLflow's tracking request messages. Shapes and types are checked here; MLflow's limits and key grammar are
// the tracking deciders' (one definition), so a message that passes here can still be refused with a 400.
// int64 fields arrive as numbers or as decimal strings (protobuf JSON allows both).

const NON_FINITE = ['NaN', 'Infinity', '-Infinity'];
/** A finite number, or NaN and the infinities as protobuf JSON writes them. */
function IsMetricValue(): PropertyDecorator {
  return ValidateBy({
    name: 'isMetricValue',
    validator: {
      validate: (value: unknown) => (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && NON_FINITE.includes(value)),
      defaultMessage: () => 'value must be a number (or "NaN", "Infinity", "-Infinity")',
    },
  });
}

/** Bounds on what can be sent at all; the real limits are MLflow's, checked by the deciders. */
const TEXT_MAX = 1_100_000;
const ID_MAX = 256;

@MlflowMessage()
export class KeyValueMessage {
  @Text(1000) key!: string;
  @Text(TEXT_MAX) value!: string;
}

class TagsField {
  @Optional(ListOf(() => KeyValueMessage, 1000)) tags?: KeyValueMessage[];
}

@MlflowMessage()
export class CreateExperimentMessage extends TagsField {
  @Text(1000) name!: string;
  @Optional(Text(2048)) artifact_location?: string;
}

@MlflowMessage()
export class ExperimentIdMessage {
  @IdText(ID_MAX) experiment_id!: string;
}

@MlflowMessage()
export class ExperimentByNameMessage {
  @Text(1000) experiment_name!: string;
}

@MlflowMessage()
export class UpdateExperimentMessage extends ExperimentIdMessage {
  @Text(1000) new_name!: string;
}

@MlflowMessage()
export class SetExperimentTagMessage extends IntersectionType(ExperimentIdMessage, KeyValueMessage) {}

@MlflowMessage()
export class DeleteExperimentTagMessage extends IntersectionType(ExperimentIdMessage, PickType(KeyValueMessage, ['key'] as const)) {}

const VIEW_TYPES = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'];
/** A view type by name or by its protobuf number (1, 2, 3), as a query parameter may carry it. */
const toViewType = ({ value }: { value: unknown }): unknown => {
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^[1-3]$/.test(value) ? Number(value) : undefined;
  return number === undefined ? value : VIEW_TYPES[number - 1];
};
const ViewType = (): PropertyDecorator => Optional(Transform(toViewType), IsIn(VIEW_TYPES));

/** `max_results` and `page_token`: a paged read. */
class PageMessage {
  @Optional(Int64()) max_results?: number;
  @Optional(Text(4096)) page_token?: string;
}

/** A paged search: `filter` (MLflow's search language), `max_results`, `page_token`. */
class SearchPageMessage extends PageMessage {
  @Optional(Text(4096)) filter?: string;
}

@MlflowMessage()
export class SearchExperimentsMessage extends SearchPageMessage {
  @IsOptional() order_by?: unknown;
  @ViewType() view_type?: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';
}

/** Every run message names its run as `run_id` or, from older clients, `run_uuid`. */
@MlflowMessage()
export class RunIdMessage {
  @ValidateIf((m: RunIdMessage) => m.run_uuid === undefined || m.run_id !== undefined)
  @Text(ID_MAX)
  run_id?: string;

  @Optional(Text(ID_MAX)) run_uuid?: string;
}

export const runIdOf = (m: RunIdMessage): string => m.run_id ?? m.run_uuid ?? '';

@MlflowMessage()
export class CreateRunMessage extends TagsField {
  @Optional(IdText(ID_MAX)) experiment_id?: string;
  @Optional(Text(1000)) user_id?: string;
  @Optional(Text(1000)) run_name?: string;
  @Optional(Int64(), Min(0)) start_time?: number;
}

@MlflowMessage()
export class UpdateRunMessage extends RunIdMessage {
  @Optional(IsIn(RUN_STATUSES)) status?: (typeof RUN_STATUSES)[number];
  @Optional(Int64()) end_time?: number;
  @Optional(Text(1000)) run_name?: string;
}

@MlflowMessage()
export class DeleteTagMessage extends IntersectionType(RunIdMessage, PickType(KeyValueMessage, ['key'] as const)) {}

@MlflowMessage()
export class LogParamMessage extends IntersectionType(RunIdMessage, KeyValueMessage) {}

@MlflowMessage()
export class SetTagMessage extends LogParamMessage {}

@MlflowMessage()
export class MetricMessage {
  @Text(1000) key!: string;
  @IsMetricValue() value!: number | 'NaN' | 'Infinity' | '-Infinity';
  @Int64() timestamp!: number;
  @Optional(Int64()) step?: number;
  @Optional(Text(ID_MAX)) model_id?: string;
  @Optional(Text(1000)) dataset_name?: string;
  @Optional(Text(1000)) dataset_digest?: string;
}

/** One metric point of a run: the run's id plus the fields of a batch's metric. */
@MlflowMessage()
export class LogMetricMessage extends IntersectionType(RunIdMessage, MetricMessage) {}

@MlflowMessage()
export class LogBatchMessage extends RunIdMessage {
  @Optional(ListOf(() => MetricMessage, 2000)) metrics?: MetricMessage[];
  @Optional(ListOf(() => KeyValueMessage, 2000)) params?: KeyValueMessage[];
  @Optional(ListOf(() => KeyValueMessage, 2000)) tags?: KeyValueMessage[];
}

@MlflowMessage()
export class DatasetMessage {
  @Text(1000) name!: string;
  @Text(1000) digest!: string;
  @Text(1000) source_type!: string;
  @Text(70_000) source!: string;
  @Optional(Text(TEXT_MAX)) schema?: string;
  @Optional(Text(TEXT_MAX)) profile?: string;
}

@MlflowMessage()
export class DatasetInputMessage extends TagsField {
  @ValidateNested()
  @Type(() => DatasetMessage)
  dataset!: DatasetMessage;
}

@MlflowMessage()
export class ModelInputMessage {
  @Text(ID_MAX) model_id!: string;
}

@MlflowMessage()
export class LogInputsMessage extends RunIdMessage {
  @Optional(ListOf(() => DatasetInputMessage, 1000)) datasets?: DatasetInputMessage[];
  @Optional(ListOf(() => ModelInputMessage, 1000)) models?: ModelInputMessage[];
}

@MlflowMessage()
export class ModelOutputMessage extends ModelInputMessage {
  @Int64() step!: number;
}

@MlflowMessage()
export class LogOutputsMessage extends RunIdMessage {
  @ListOf(() => ModelOutputMessage, 1000) models!: ModelOutputMessage[];
}

@MlflowMessage()
export class LogModelMessage extends RunIdMessage {
  @Text(1_000_000) model_json!: string;
}

@MlflowMessage()
export class SearchRunsMessage extends SearchPageMessage {
  @Optional(TextList(100)) experiment_ids?: string[];
  @ViewType() run_view_type?: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';
  @IsOptional() order_by?: unknown;
}

@MlflowMessage()
export class MetricHistoryMessage extends IntersectionType(RunIdMessage, PageMessage) {
  @Text(1000) metric_key!: string;
}

@MlflowMessage()
export class CreateLoggedModelMessage extends TagsField {
  @IdText(ID_MAX) experiment_id!: string;
  @Optional(Text(1000)) name?: string;
  @Optional(Text(1000)) model_type?: string;
  @Optional(Text(ID_MAX)) source_run_id?: string;
  @Optional(ListOf(() => KeyValueMessage, 1000)) params?: KeyValueMessage[];
}

@MlflowMessage()
export class FinalizeLoggedModelMessage {
  @IsIn(['LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED']) status!: 'LOGGED_MODEL_READY' | 'LOGGED_MODEL_UPLOAD_FAILED';
}

@MlflowMessage()
export class LoggedModelTagsMessage {
  @ListOf(() => KeyValueMessage, 1000) tags!: KeyValueMessage[];
}

@MlflowMessage()
export class LoggedModelParamsMessage {
  @ListOf(() => KeyValueMessage, 1000) params!: KeyValueMessage[];
}

@MlflowMessage()
export class LoggedModelOrderMessage {
  @Text(100) field_name!: string;
  @Optional(IsBoolean()) ascending?: boolean;
}

@MlflowMessage()
export class SearchLoggedModelsMessage extends SearchPageMessage {
  @Optional(TextList(100)) experiment_ids?: string[];
  @Optional(ListOf(() => LoggedModelOrderMessage, 20)) order_by?: LoggedModelOrderMessage[];
}
