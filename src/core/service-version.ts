import { readFileSync } from 'node:fs'

/**
 * The service's version, from package.json: it is written into every safetensors `__metadata__`
 * and engine description, so it is read once, here. src/core/*.ts and dist/core/*.js both sit
 * two levels below the package root.
 */
export const SERVICE_VERSION: string = (JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8')
) as { version: string }).version
