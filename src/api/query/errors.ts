// 400 answers that name the parameter to fix, for checks zod cannot express (ranges, cursors).
export class BadRequestError extends Error {
  override name = 'BadRequestError';
  readonly statusCode = 400;
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(`${parameter}: ${message}`);
  }
}

export function badRequest(parameter: string, message: string): BadRequestError {
  return new BadRequestError(parameter, message);
}
