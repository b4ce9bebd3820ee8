// The admin API's one error type and its JSON shape `{error: {code, message, field?}}`.
// Handlers throw ApiError; plugin.ts turns it (and Elysia's own errors) into a response.
// Messages are written for the person reading them and never carry internals or secrets.

export interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, options: { field?: string; headers?: Record<string, string> } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = options.field;
    this.headers = options.headers ?? {};
  }

  static invalid(field: string, message: string): ApiError {
    return new ApiError(400, "invalid_request", message, { field });
  }

  static notFound(what: string, id: number | string): ApiError {
    return new ApiError(404, "not_found", `${what} ${id} does not exist`);
  }

  static conflict(message: string, field?: string): ApiError {
    return new ApiError(409, "conflict", message, { field });
  }

  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}

/** Throws ApiError.notFound; usable where an expression is expected (`get(id) ?? throwNotFound("group", id)`). */
export function throwNotFound(what: string, id: number | string): never {
  throw ApiError.notFound(what, id);
}
