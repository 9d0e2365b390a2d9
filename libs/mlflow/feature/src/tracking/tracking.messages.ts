import { IntersectionType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, MaxLength, Min, ValidateBy, ValidateIf, ValidateNested } from 'class-validator';
import { MlflowMessage, OptionalNotNull } from '@mreg/platform/runtime';
import { RUN_STATUSES } from '@mreg/shared/contracts';

// MLflow's tracking request messages. Shapes and types are checked here; MLflow's limits and key grammar are
// the tracking deciders' (one definition), so a message that passes here can still be refused with a 400.
// int64 fields arrive as numbers or as decimal strings (protobuf JSON allows both).

const toInt = ({ value }: { value: unknown }): unknown => (typeof value === 'string' && /^-?\d{1,19}$/.test(value) ? Number(value) : value);
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
  @IsString()
  @MaxLength(1000)
  key!: string;

  @IsString()
  @MaxLength(TEXT_MAX)
  value!: string;
}

class TagsField {
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => KeyValueMessage)
  tags?: KeyValueMessage[];
}

@MlflowMessage()
export class CreateExperimentMessage extends TagsField {
  @IsString()
  @MaxLength(1000)
  name!: string;

  @OptionalNotNull()
  @IsString()
  @MaxLength(2048)
  artifact_location?: string;
}

@MlflowMessage()
export class ExperimentIdMessage {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'number' ? String(value) : value))
  @IsString()
  @MaxLength(ID_MAX)
  experiment_id!: string;
}

@MlflowMessage()
export class ExperimentByNameMessage {
  @IsString()
  @MaxLength(1000)
  experiment_name!: string;
}

@MlflowMessage()
export class UpdateExperimentMessage extends ExperimentIdMessage {
  @IsString()
  @MaxLength(1000)
  new_name!: string;
}

@MlflowMessage()
export class SetExperimentTagMessage extends ExperimentIdMessage {
  @IsString()
  @MaxLength(1000)
  key!: string;

  @IsString()
  @MaxLength(TEXT_MAX)
  value!: string;
}

@MlflowMessage()
export class DeleteExperimentTagMessage extends ExperimentIdMessage {
  @IsString()
  @MaxLength(1000)
  key!: string;
}

const VIEW_TYPES = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'];
/** A view type by name or by its protobuf number (1, 2, 3), as a query parameter may carry it. */
const toViewType = ({ value }: { value: unknown }): unknown => {
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^[1-3]$/.test(value) ? Number(value) : undefined;
  return number === undefined ? value : VIEW_TYPES[number - 1];
};

@MlflowMessage()
export class SearchExperimentsMessage {
  @OptionalNotNull()
  @Transform(toInt)
  @IsInt()
  max_results?: number;

  @OptionalNotNull()
  @IsString()
  @MaxLength(4096)
  page_token?: string;

  @OptionalNotNull()
  @IsString()
  @MaxLength(4096)
  filter?: string;

  @IsOptional()
  order_by?: unknown;

  @OptionalNotNull()
  @Transform(toViewType)
  @IsIn(VIEW_TYPES)
  view_type?: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';
}

/** Every run message names its run as `run_id` or, from older clients, `run_uuid`. */
@MlflowMessage()
export class RunIdMessage {
  @ValidateIf((m: RunIdMessage) => m.run_uuid === undefined || m.run_id !== undefined)
  @IsString()
  @MaxLength(ID_MAX)
  run_id?: string;

  @OptionalNotNull()
  @IsString()
  @MaxLength(ID_MAX)
  run_uuid?: string;
}

export const runIdOf = (m: RunIdMessage): string => m.run_id ?? m.run_uuid ?? '';

@MlflowMessage()
export class CreateRunMessage extends TagsField {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'number' ? String(value) : value))
  @OptionalNotNull()
  @IsString()
  @MaxLength(ID_MAX)
  experiment_id?: string;

  @OptionalNotNull()
  @IsString()
  @MaxLength(1000)
  user_id?: string;

  @OptionalNotNull()
  @IsString()
  @MaxLength(1000)
  run_name?: string;

  @OptionalNotNull()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  start_time?: number;
}

@MlflowMessage()
export class UpdateRunMessage extends RunIdMessage {
  @OptionalNotNull()
  @IsIn(RUN_STATUSES)
  status?: (typeof RUN_STATUSES)[number];

  @OptionalNotNull()
  @Transform(toInt)
  @IsInt()
  end_time?: number;

  @OptionalNotNull()
  @IsString()
  @MaxLength(1000)
  run_name?: string;
}

@MlflowMessage()
export class LogParamMessage extends RunIdMessage {
  @IsString()
  @MaxLength(1000)
  key!: string;

  @IsString()
  @MaxLength(TEXT_MAX)
  value!: string;
}

@MlflowMessage()
export class SetTagMessage extends LogParamMessage {}

@MlflowMessage()
export class DeleteTagMessage extends RunIdMessage {
  @IsString()
  @MaxLength(1000)
  key!: string;
}

@MlflowMessage()
export class MetricMessage {
  @IsString()
  @MaxLength(1000)
  key!: string;

  @IsMetricValue()
  value!: number | 'NaN' | 'Infinity' | '-Infinity';

  @Transform(toInt)
  @IsInt()
  timestamp!: number;

  @OptionalNotNull()
  @Transform(toInt)
  @IsInt()
  step?: number;

  @OptionalNotNull()
  @IsString()
  @MaxLength(ID_MAX)
  model_id?: string;

  @OptionalNotNull()
  @IsString()
  @MaxLength(1000)
  dataset_name?: string;

  @OptionalNotNull()
  @IsString()
  @MaxLength(1000)
  dataset_digest?: string;
}

/** One metric point of a run: the run's id plus the fields of a batch's metric. */
@MlflowMessage()
export class LogMetricMessage extends IntersectionType(RunIdMessage, MetricMessage) {}

@MlflowMessage()
export class LogBatchMessage extends RunIdMessage {
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(2000)
  @ValidateNested({ each: true })
  @Type(() => MetricMessage)
  metrics?: MetricMessage[];

  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(2000)
  @ValidateNested({ each: true })
  @Type(() => KeyValueMessage)
  params?: KeyValueMessage[];

  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(2000)
  @ValidateNested({ each: true })
  @Type(() => KeyValueMessage)
  tags?: KeyValueMessage[];
}

@MlflowMessage()
export class DatasetMessage {
  @IsString()
  @MaxLength(1000)
  name!: string;

  @IsString()
  @MaxLength(1000)
  digest!: string;

  @IsString()
  @MaxLength(1000)
  source_type!: string;

  @IsString()
  @MaxLength(70_000)
  source!: string;

  @OptionalNotNull()
  @IsString()
  @MaxLength(TEXT_MAX)
  schema?: string;

  @OptionalNotNull()
  @IsString()
  @MaxLength(TEXT_MAX)
  profile?: string;
}

@MlflowMessage()
export class DatasetInputMessage extends TagsField {
  @ValidateNested()
  @Type(() => DatasetMessage)
  dataset!: DatasetMessage;
}

@MlflowMessage()
export class ModelInputMessage {
  @IsString()
  @MaxLength(ID_MAX)
  model_id!: string;
}

@MlflowMessage()
export class LogInputsMessage extends RunIdMessage {
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => DatasetInputMessage)
  datasets?: DatasetInputMessage[];

  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => ModelInputMessage)
  models?: ModelInputMessage[];
}

@MlflowMessage()
export class ModelOutputMessage extends ModelInputMessage {
  @Transform(toInt)
  @IsInt()
  step!: number;
}

@MlflowMessage()
export class LogOutputsMessage extends RunIdMessage {
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => ModelOutputMessage)
  models!: ModelOutputMessage[];
}

@MlflowMessage()
export class LogModelMessage extends RunIdMessage {
  @IsString()
  @MaxLength(1_000_000)
  model_json!: string;
}

@MlflowMessage()
export class SearchRunsMessage {
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  experiment_ids?: string[];

  @OptionalNotNull()
  @IsString()
  @MaxLength(4096)
  filter?: string;

  @OptionalNotNull()
  @Transform(toViewType)
  @IsIn(VIEW_TYPES)
  run_view_type?: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

  @OptionalNotNull()
  @Transform(toInt)
  @IsInt()
  max_results?: number;

  @IsOptional()
  order_by?: unknown;

  @OptionalNotNull()
  @IsString()
  @MaxLength(4096)
  page_token?: string;
}

@MlflowMessage()
export class MetricHistoryMessage extends RunIdMessage {
  @IsString()
  @MaxLength(1000)
  metric_key!: string;

  @OptionalNotNull()
  @Transform(toInt)
  @IsInt()
  max_results?: number;

  @OptionalNotNull()
  @IsString()
  @MaxLength(4096)
  page_token?: string;
}

@MlflowMessage()
export class CreateLoggedModelMessage extends TagsField {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'number' ? String(value) : value))
  @IsString()
  @MaxLength(ID_MAX)
  experiment_id!: string;

  @OptionalNotNull()
  @IsString()
  @MaxLength(1000)
  name?: string;

  @OptionalNotNull()
  @IsString()
  @MaxLength(1000)
  model_type?: string;

  @OptionalNotNull()
  @IsString()
  @MaxLength(ID_MAX)
  source_run_id?: string;

  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => KeyValueMessage)
  params?: KeyValueMessage[];
}

@MlflowMessage()
export class FinalizeLoggedModelMessage {
  @IsIn(['LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED'])
  status!: 'LOGGED_MODEL_READY' | 'LOGGED_MODEL_UPLOAD_FAILED';
}

@MlflowMessage()
export class LoggedModelTagsMessage {
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => KeyValueMessage)
  tags!: KeyValueMessage[];
}

@MlflowMessage()
export class LoggedModelParamsMessage {
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => KeyValueMessage)
  params!: KeyValueMessage[];
}

@MlflowMessage()
export class LoggedModelOrderMessage {
  @IsString()
  @MaxLength(100)
  field_name!: string;

  @OptionalNotNull()
  @IsBoolean()
  ascending?: boolean;
}

@MlflowMessage()
export class SearchLoggedModelsMessage {
  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  experiment_ids?: string[];

  @OptionalNotNull()
  @IsString()
  @MaxLength(4096)
  filter?: string;

  @OptionalNotNull()
  @Transform(toInt)
  @IsInt()
  max_results?: number;

  @OptionalNotNull()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => LoggedModelOrderMessage)
  order_by?: LoggedModelOrderMessage[];

  @OptionalNotNull()
  @IsString()
  @MaxLength(4096)
  page_token?: string;
}
