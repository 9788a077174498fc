/**
 * The Content-Security-Policy of the Swagger UI pages at /docs (issue 13: `/docs` opened over plain
 * HTTP at the machine's address showed a blank page).
 *
 * @fastify/swagger-ui's `staticCSP: true` policy ends in `upgrade-insecure-requests` (CSP Upgrade
 * Insecure Requests, W3C): a browser then fetches every asset of the page over https, which a
 * service listening on plain HTTP (the default HOST=0.0.0.0, PORT=8080) does not answer, so the
 * page stays blank everywhere except on localhost (which browsers exempt). This is the same policy
 * without that directive (and otherwise the package's directives); TLS, where a deployment has it, is the front's business (deploy/nginx).
 * `img-src` leaves out validator.swagger.io because the UI's online validator is switched off
 * (`validatorUrl: null` in app.ts): it would send the document to a third party.
 * The UI's own inline scripts and styles are none (the package's static/csp.json lists no hashes).
 */
export const DOCS_CSP: Readonly<Record<string, string>> = {
  'default-src': "'self'",
  'base-uri': "'self'",
  'font-src': "'self' https: data:",
  'frame-ancestors': "'self'",
  'img-src': "'self' data:",
  'object-src': "'none'",
  'script-src': "'self'",
  'script-src-attr': "'none'",
  'style-src': "'self' https:"
}
