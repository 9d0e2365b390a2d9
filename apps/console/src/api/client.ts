import createClient from 'openapi-fetch';
import type { Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

// The one way the console talks to the registry: openapi-fetch checked against the types generated from
// docs/api/openapi.json (tools/console-api.cjs), so a call the API does not have does not compile.

export type Schemas = components['schemas'];
export type Model = Schemas['ModelResponse'];
export type ModelAsOf = Schemas['ModelAsOfResponse'];
export type Version = Schemas['VersionResponse'];
export type VersionAsOf = Schemas['VersionAsOfResponse'];
export type Transition = Schemas['TransitionResponse'];
export type HistoryEntry = Schemas['HistoryEntryResponse'];
export type Provenance = Schemas['ProvenanceResponse'];
export type ArtifactManifest = Schemas['ArtifactManifestResponse'];
export type Integrity = Schemas['IntegrityResponse'];
export type ApprovalPolicy = Schemas['ApprovalPolicyResponse'];
export type Me = Schemas['PrincipalResponse'];
export type Stage = Schemas['Stage'];
export type Role = Schemas['Role'];
export type SignInOptions = Schemas['SignInOptionsResponse'];
export type SingleSignOnOptions = Schemas['SingleSignOnOptionsResponse'];

/** An error the API answered (its envelope's code and message), or a network failure (status 0). */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiProblem';
  }
}

const CONSISTENCY = 'X-Mreg-Consistency';

export type Api = ReturnType<typeof createApi>;

/**
 * A client for one signed-in session (no token: the open sign-in routes only). Every write's consistency token is
 * kept and sent with the reads that follow, so a page re-read after a change shows it (read-your-writes across the
 * services behind the gateway).
 */
export function createApi(token: string | undefined, baseUrl: string = globalThis.location?.origin ?? '', onRefused?: (problem: ApiProblem) => void) {
  let consistency: string | undefined;
  const auth: Middleware = {
    onRequest({ request }) {
      if (token !== undefined) request.headers.set('Authorization', `Bearer ${token}`);
      if (consistency !== undefined && request.method === 'GET') request.headers.set(CONSISTENCY, consistency);
      return request;
    },
    onResponse({ request, response }) {
      const written = response.headers.get(CONSISTENCY);
      if (written && request.method !== 'GET') consistency = written;
      // The token stopped working (expired, revoked): the session is over, whichever page noticed.
      if (response.status === 401 && token !== undefined && onRefused) {
        void response
          .clone()
          .json()
          .catch(() => undefined)
          .then((body: unknown) => onRefused(problemOf(401, body)));
      }
      return response;
    },
  };
  const client = createClient<paths>({ baseUrl });
  client.use(auth);
  return Object.assign(client, {
    token,
    /** Headers for requests made without the typed client (artifact downloads, which stream). */
    headers(): Record<string, string> {
      return { ...(token !== undefined ? { Authorization: `Bearer ${token}` } : {}), ...(consistency !== undefined ? { [CONSISTENCY]: consistency } : {}) };
    },
  });
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The answer's data, or an ApiProblem with the API's own message. */
export async function ok<T>(call: Promise<Answer<T>>): Promise<T> {
  let answer: Answer<T>;
  try {
    answer = await call;
  } catch (error) {
    throw new ApiProblem(0, 'NETWORK', `the registry could not be reached: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (answer.response.ok && answer.data !== undefined) return answer.data;
  throw problemOf(answer.response.status, answer.error);
}

export function problemOf(status: number, body: unknown): ApiProblem {
  const envelope = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (envelope && typeof envelope.message === 'string') return new ApiProblem(status, typeof envelope.code === 'string' ? envelope.code : 'ERROR', envelope.message, envelope.details);
  return new ApiProblem(status, 'ERROR', `the registry answered ${status}`);
}

/** A write that answers with nothing to show (or a body not needed): succeeds on any 2xx. */
export async function done(call: Promise<Answer<unknown>>): Promise<void> {
  let answer: Answer<unknown>;
  try {
    answer = await call;
  } catch (error) {
    throw new ApiProblem(0, 'NETWORK', `the registry could not be reached: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!answer.response.ok) throw problemOf(answer.response.status, answer.error);
}
