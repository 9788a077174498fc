import { execFileSync } from 'node:child_process'

/**
 * NumPy is the reference writer and reader for these tests, so it is a hard requirement: a
 * missing numpy fails the tests rather than skipping them. The first interpreter that imports it
 * wins: $PYTHON, then python3 on PATH, then Debian's /usr/bin/python3 (apt-get install python3-numpy).
 */
function findPython (): string {
  const candidates = [process.env.PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => c !== undefined && c !== '')
  for (const candidate of candidates) {
    try {
      // The interpreter's own path skips launcher shims (pyenv) on every later call.
      return execFileSync(candidate, ['-c', 'import sys, numpy; print(sys.executable)'], { encoding: 'utf8' }).trim()
    } catch {}
  }
  throw new Error(`no Python with numpy among ${candidates.join(', ')}: install numpy (e.g. apt-get install python3-numpy)`)
}

let interpreter: string | undefined

/**
 * Runs a Python 3 script with `input` as JSON on stdin (as `input_`) and returns its stdout parsed
 * as JSON. `format` is numpy's npy module, whichever path this numpy version keeps it under.
 */
export function python<T = unknown> (script: string, input: unknown = null): T {
  interpreter ??= findPython()
  const prelude = [
    'import json, sys, base64',
    'try:',
    '    from numpy.lib import _format_impl as format',
    'except ImportError:',
    '    from numpy.lib import format',
    'input_ = json.load(sys.stdin)',
    ''
  ].join('\n')
  const output = execFileSync(interpreter, ['-c', prelude + script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 1 << 28
  })
  return JSON.parse(output) as T
}

export function toBase64 (bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64')
}

export function fromBase64 (text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'))
}
