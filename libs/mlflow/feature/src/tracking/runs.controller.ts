import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeController } from '@nestjs/swagger';
import { ApiError, Caller, Roles } from '@mreg/platform/runtime';
import type { CommandContext } from '@mreg/platform/runtime';
import type { MetricPoint } from '@mreg/shared/contracts';
import { latestMetrics } from '@mreg/tracking/domain';
import type { RunState } from '@mreg/tracking/domain';
import { TrackingCommands, TrackingQueries } from '@mreg/tracking/feature';
import type { MlflowSearchSchema } from '../wire/search-filter';
import { searchAttributes, translateMlflowFilter, translateMlflowOrderBy } from '../wire/search-filter';
import { listOf, pageSizeFor } from '../wire/search-params';
import { mlflowMetric, mlflowRun, mlflowRunInfo } from './tracking.entities';
import {
  CreateRunMessage,
  DeleteTagMessage,
  LogBatchMessage,
  LogInputsMessage,
  LogMetricMessage,
  LogModelMessage,
  LogOutputsMessage,
  LogParamMessage,
  MetricHistoryMessage,
  RunIdMessage,
  SearchRunsMessage,
  SetTagMessage,
  UpdateRunMessage,
  runIdOf,
} from './tracking.messages';
import type { MetricMessage } from './tracking.messages';

/** MLflow's run search (`mlflow.search_runs`): attributes, `metrics.`, `params.`, `tags.`, keys joined as its store does. */
export const RUN_SEARCH: MlflowSearchSchema = {
  attributes: searchAttributes({ run_name: 'runName', status: 'status', user_id: 'userId', run_id: 'id', artifact_uri: 'artifactUri' }, { start_time: 'startTime', end_time: 'endTime' }),
  aliases: { created: 'start_time', Created: 'start_time', 'run name': 'run_name', 'Run name': 'run_name', 'Run Name': 'run_name' },
  attributePrefixes: ['attribute', 'attributes', 'attr', 'run'],
  listAttributes: ['run_id'],
  tagPrefix: 'tags',
  paramPrefix: 'params',
  metrics: { prefix: 'metrics', nanPrefix: 'metricsNaN' },
  keyed: 'join',
};
/** MLflow keeps the models a run logged (pre-MLflow 3 `log_model`) in this tag, as a JSON list. */
const LOG_MODEL_HISTORY_TAG = 'mlflow.log-model.history';

function metricPoint(m: MetricMessage | LogMetricMessage): MetricPoint {
  return {
    key: m.key,
    value: m.value,
    timestamp: m.timestamp,
    step: m.step ?? 0,
    ...(m.model_id ? { loggedModelId: m.model_id } : {}),
    ...(m.dataset_name ? { datasetName: m.dataset_name } : {}),
    ...(m.dataset_digest ? { datasetDigest: m.dataset_digest } : {}),
  };
}

const render = (run: RunState, outputs = true) => mlflowRun(run, latestMetrics(run), { outputs });

/** MLflow's runs and metric histories (`/api/2.0/mlflow/runs/*`, `metrics/get-history`). */
@ApiExcludeController()
@ApiBearerAuth()
@Controller('api/2.0/mlflow')
export class MlflowRunsController {
  constructor(
    private readonly commands: TrackingCommands,
    private readonly queries: TrackingQueries,
  ) {}

  @Post('runs/create')
  @HttpCode(200)
  @Roles('contributor')
  async create(@Body() body: CreateRunMessage, @Caller() ctx: CommandContext) {
    const run = await this.commands.createRun(
      {
        experimentId: body.experiment_id ?? '0',
        ...(body.user_id ? { userId: body.user_id } : {}),
        ...(body.run_name ? { runName: body.run_name } : {}),
        ...(body.start_time !== undefined ? { startTime: body.start_time } : {}),
        tags: body.tags ?? [],
      },
      ctx,
    );
    return { run: render(run, false) };
  }

  @Get('runs/get')
  @Roles('reader')
  async get(@Query() query: RunIdMessage) {
    return { run: render(await this.queries.run(requiredRunId(query))) };
  }

  @Post('runs/update')
  @HttpCode(200)
  @Roles('contributor')
  async update(@Body() body: UpdateRunMessage, @Caller() ctx: CommandContext) {
    const run = await this.commands.updateRun(
      requiredRunId(body),
      { ...(body.status ? { status: body.status } : {}), ...(body.end_time !== undefined ? { endTime: body.end_time } : {}), ...(body.run_name ? { runName: body.run_name } : {}) },
      ctx,
    );
    return { run_info: mlflowRunInfo(run) };
  }

  @Post('runs/delete')
  @HttpCode(200)
  @Roles('contributor')
  async delete(@Body() body: RunIdMessage, @Caller() ctx: CommandContext) {
    await this.commands.deleteRun(requiredRunId(body), ctx);
    return {};
  }

  @Post('runs/restore')
  @HttpCode(200)
  @Roles('contributor')
  async restore(@Body() body: RunIdMessage, @Caller() ctx: CommandContext) {
    await this.commands.restoreRun(requiredRunId(body), ctx);
    return {};
  }

  @Post('runs/log-parameter')
  @HttpCode(200)
  @Roles('contributor')
  async logParam(@Body() body: LogParamMessage, @Caller() ctx: CommandContext) {
    await this.commands.logBatch(requiredRunId(body), { params: [{ key: body.key, value: body.value }] }, ctx);
    return {};
  }

  @Post('runs/log-metric')
  @HttpCode(200)
  @Roles('contributor')
  async logMetric(@Body() body: LogMetricMessage, @Caller() ctx: CommandContext) {
    await this.commands.logBatch(requiredRunId(body), { metrics: [metricPoint(body)] }, ctx);
    return {};
  }

  @Post('runs/log-batch')
  @HttpCode(200)
  @Roles('contributor')
  async logBatch(@Body() body: LogBatchMessage, @Caller() ctx: CommandContext) {
    await this.commands.logBatch(requiredRunId(body), { params: body.params ?? [], metrics: (body.metrics ?? []).map(metricPoint), tags: body.tags ?? [] }, ctx);
    return {};
  }

  @Post('runs/set-tag')
  @HttpCode(200)
  @Roles('contributor')
  async setTag(@Body() body: SetTagMessage, @Caller() ctx: CommandContext) {
    await this.commands.logBatch(requiredRunId(body), { tags: [{ key: body.key, value: body.value }] }, ctx);
    return {};
  }

  @Post('runs/delete-tag')
  @HttpCode(200)
  @Roles('contributor')
  async deleteTag(@Body() body: DeleteTagMessage, @Caller() ctx: CommandContext) {
    await this.commands.deleteRunTag(requiredRunId(body), body.key, ctx);
    return {};
  }

  @Post('runs/log-inputs')
  @HttpCode(200)
  @Roles('contributor')
  async logInputs(@Body() body: LogInputsMessage, @Caller() ctx: CommandContext) {
    const datasets = (body.datasets ?? []).map((d) => ({
      dataset: {
        name: d.dataset.name,
        digest: d.dataset.digest,
        sourceType: d.dataset.source_type,
        source: d.dataset.source,
        ...(d.dataset.schema ? { schema: d.dataset.schema } : {}),
        ...(d.dataset.profile ? { profile: d.dataset.profile } : {}),
      },
      tags: Object.fromEntries((d.tags ?? []).map((t) => [t.key, t.value])),
    }));
    await this.commands.logInputs(
      requiredRunId(body),
      datasets,
      (body.models ?? []).map((m) => m.model_id),
      ctx,
    );
    return {};
  }

  @Post('runs/outputs')
  @HttpCode(200)
  @Roles('contributor')
  async logOutputs(@Body() body: LogOutputsMessage, @Caller() ctx: CommandContext) {
    await this.commands.logOutputs(
      requiredRunId(body),
      body.models.map((m) => ({ loggedModelId: m.model_id, step: m.step })),
      ctx,
    );
    return {};
  }

  @Post('runs/log-model')
  @HttpCode(200)
  @Roles('contributor')
  async logModel(@Body() body: LogModelMessage, @Caller() ctx: CommandContext) {
    let model: unknown;
    try {
      model = JSON.parse(body.model_json);
    } catch {
      throw new ApiError('INVALID_ARGUMENT', 'model_json must be JSON');
    }
    const runId = requiredRunId(body);
    const run = await this.queries.run(runId);
    const history: unknown[] = (() => {
      try {
        const parsed: unknown = JSON.parse(run.tags[LOG_MODEL_HISTORY_TAG] ?? '[]');
        return Array.isArray(parsed) ? (parsed as unknown[]) : [];
      } catch {
        return [];
      }
    })();
    await this.commands.logBatch(runId, { tags: [{ key: LOG_MODEL_HISTORY_TAG, value: JSON.stringify([...history, model]) }] }, ctx);
    return {};
  }

  @Post('runs/search')
  @HttpCode(200)
  @Roles('reader')
  async search(@Body() body: SearchRunsMessage) {
    const filter = translateMlflowFilter(body.filter, RUN_SEARCH);
    const orderBy = translateMlflowOrderBy(listOf(body.order_by), RUN_SEARCH);
    const page = await this.queries.searchRuns(body.experiment_ids ?? [], body.run_view_type ?? 'ACTIVE_ONLY', {
      ...(filter ? { filter } : {}),
      // MLflow's default: the newest runs first.
      orderBy: orderBy ?? { field: 'startTime', direction: 'desc' },
      pageSize: Number(pageSizeFor(body.max_results, { default: 1000, max: 50000, servedMax: 1000 })),
      ...(body.page_token ? { pageToken: body.page_token } : {}),
    });
    return { ...(page.items.length > 0 ? { runs: page.items.map((r) => render(r)) } : {}), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
  }

  @Get('metrics/get-history')
  @Roles('reader')
  async history(@Query() query: MetricHistoryMessage) {
    if (query.max_results !== undefined && query.max_results <= 0) {
      throw new ApiError('INVALID_ARGUMENT', `Invalid value ${query.max_results} for parameter 'max_results' supplied. It must be a positive integer.`);
    }
    const page = await this.queries.metricHistory(requiredRunId(query), query.metric_key, {
      ...(query.max_results !== undefined ? { pageSize: query.max_results } : {}),
      ...(query.page_token ? { pageToken: query.page_token } : {}),
    });
    return { ...(page.items.length > 0 ? { metrics: page.items.map((m) => mlflowMetric(m)) } : {}), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
  }
}

function requiredRunId(message: RunIdMessage): string {
  const runId = runIdOf(message);
  if (runId === '') throw new ApiError('INVALID_ARGUMENT', "Missing value for required parameter 'run_id'");
  return runId;
}
