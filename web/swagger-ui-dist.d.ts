/** swagger-ui-dist ships no types; its bundle exports the one function web/docs.ts calls. */
declare module 'swagger-ui-dist/swagger-ui-bundle.js' {
  /** Renders the document at `url` into the element `dom_id` selects (options: Swagger UI's configuration). */
  export default function SwaggerUIBundle(options: { url: string; dom_id: string; [option: string]: unknown }): unknown;
}
