import { describe, expect, test } from 'vitest'
import { ERROR_CODES, type ErrorCode } from '../../../src/core/errors.ts'
import { useApp } from '../../support/helper.ts'

const getApp = useApp()

describe('GET /problems/{code}', () => {
  test('every problem type URI resolves to its documentation', async () => {
    const { app } = getApp()
    for (const code of Object.keys(ERROR_CODES)) {
      const res = await app.inject(`/problems/${code}`)
      expect(res.statusCode, code).toBe(200)
      expect(res.json()).toMatchObject({ type: `/problems/${code}`, code, status: ERROR_CODES[code as ErrorCode].status })
      expect(res.json().description.length, code).toBeGreaterThan(10)
    }
  })

  test('an unknown code is a 404 problem', async () => {
    const { app } = getApp()
    const res = await app.inject('/problems/teapot')
    expect(res.statusCode).toBe(404)
    expect(res.json()).toMatchObject({ code: 'not-found', field: '/path/code' })
  })
})
