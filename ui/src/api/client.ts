// The admin API client: one request function that speaks JSON to /api, returns typed data and
// throws ApiError (status, code, message, field) for every failure, network errors included.
// No UI imports: what a failure means for the user is decided by the pages.

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  /** The whole error answer, for routes that add fields next to `error` (e.g. a running task's id). */
  readonly body: unknown;

  constructor(status: number, code: string, message: string, field?: string, body?: unknown) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
    this.body = body;
  }
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
}

export interface ApiClient {
  request<T>(method: string, path: string, options?: RequestOptions): Promise<T>;
  /** The URL of an API path with a query, for links (downloads) the browser fetches itself. */
  url(path: string, query?: Query): string;
}

export interface ClientOptions {
  fetch?: typeof fetch;
  /** Origin and prefix, e.g. "" (same origin) or "http://127.0.0.1:3001". */
  base?: string;
}

/** "?a=1&b=x" for the defined, non-empty values of a query ("" when none). */
export function queryString(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** Reads the API's error shape `{error: {code, message, field?}}`, falling back to the status text. */
async function errorFrom(response: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const error = (body as { error?: { code?: unknown; message?: unknown; field?: unknown } } | undefined)?.error;
  if (error && typeof error.message === "string") {
    return new ApiError(response.status, typeof error.code === "string" ? error.code : "error", error.message, typeof error.field === "string" ? error.field : undefined, body);
  }
  return new ApiError(response.status, response.status === 401 ? "unauthorized" : "http_error", `the server answered ${response.status} ${response.statusText}`.trim());
}

export function createApiClient(options: ClientOptions = {}): ApiClient {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const base = options.base ?? "";
  const url = (path: string, query?: Query) => `${base}/api${path}${queryString(query)}`;
  return {
    url,
    async request<T>(method: string, path: string, request: RequestOptions = {}): Promise<T> {
      const headers: Record<string, string> = { accept: "application/json" };
      let body: string | undefined;
      if (request.body !== undefined) {
        headers["content-type"] = "application/json";
        body = JSON.stringify(request.body);
      }
      let response: Response;
      try {
        response = await doFetch(url(path, request.query), { method, headers, body, signal: request.signal, credentials: "same-origin" });
      } catch (error) {
        if (error instanceof DOMException && error.name === "AbortError") throw error;
        throw new ApiError(0, "network", "the server could not be reached; check that poolgate is running and the network is up");
      }
      if (!response.ok) throw await errorFrom(response);
      if (response.status === 204) return undefined as T;
      const text = await response.text();
      return (text ? JSON.parse(text) : undefined) as T;
    },
  };
}
