// Typed domain errors. Core throws these; each app maps them to HTTP in one place.

export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The thing asked for does not exist (or the actor may not know it exists). */
export class NotFound extends DomainError {
  constructor(what: string, code = 'not_found') {
    super(code, `${what} not found`);
  }
}

/** No session, or the session expired. */
export class Unauthenticated extends DomainError {
  constructor(message = 'You need to log in first') {
    super('unauthenticated', message);
  }
}

/** The actor is known but the policy refuses the action. */
export class Forbidden extends DomainError {
  constructor(message = 'You are not allowed to do that', code = 'forbidden') {
    super(code, message);
  }
}

/** Input that passed the schema but breaks a domain rule. */
export class Invalid extends DomainError {
  constructor(fields: Record<string, string>, message = 'Some fields are invalid', code = 'invalid') {
    super(code, message, fields);
  }
}

/** The request conflicts with the current state (a taken handle, a closed thread). */
export class Conflict extends DomainError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

export class RateLimited extends DomainError {
  constructor(readonly retryAfterSeconds: number, message = 'Too many requests; try again later') {
    super('rate_limited', message);
  }
}
