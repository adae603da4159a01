/** Errors of finding and rendering templates. */
export class TemplateNotFoundError extends Error {
  override readonly name = 'TemplateNotFoundError';
  constructor(
    readonly journeyId: string,
    readonly messageId: string,
  ) {
    super(`no template for message "${messageId}" of journey "${journeyId}"`);
  }
}

/** Rendering failed: data the template needs is missing, or a filter got a value it cannot format. */
export class TemplateRenderError extends Error {
  override readonly name = 'TemplateRenderError';
  constructor(
    readonly template: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${template}: ${message}`, options);
  }
}
