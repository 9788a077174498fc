import { mkdirSync, writeFileSync } from 'node:fs'
import { buildApp } from '../src/app.ts'

/**
 * `npm run openapi`: writes the OpenAPI document the running app serves at /openapi.json to
 * openapi/openapi.json (the committed copy a test compares against, node-stack-notes §2.5).
 */
export const OPENAPI_FILE = new URL('../openapi/openapi.json', import.meta.url)

export function renderOpenapi (document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`
}

async function main (): Promise<void> {
  const app = await buildApp({ logger: false })
  try {
    await app.ready()
    mkdirSync(new URL('.', OPENAPI_FILE), { recursive: true })
    writeFileSync(OPENAPI_FILE, renderOpenapi(app.swagger()))
    process.stdout.write(`wrote ${OPENAPI_FILE.pathname}\n`)
  } finally {
    await app.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main()
