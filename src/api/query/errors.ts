// 400 answers that name the parameter to fix, for checks zod cannot express (ranges, cursors).
import { TracemillError } from '../../model/errors.js';

export class BadRequestError extends TracemillError {
  override name = 'BadRequestError';
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super('invalid', `${parameter}: ${message}`);
  }
}

export function badRequest(parameter: string, message: string): BadRequestError {
  return new BadRequestError(parameter, message);
}
