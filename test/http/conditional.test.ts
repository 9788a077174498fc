import { describe, expect, test } from 'vitest'
import { evaluatePreconditions, ifRangeAllows, matchFails, noneMatchFails, parseEntityTags } from '../../src/http/conditional.ts'

const TAG = '"abc"'

describe('parseEntityTags (RFC 9110 §8.8.3, §13.1.2)', () => {
  test('lists, weak tags, *, empty elements', () => {
    expect(parseEntityTags('*')).toBe('*')
    expect(parseEntityTags('"a", W/"b" ,, "c"')).toEqual([
      { weak: false, opaque: '"a"' }, { weak: true, opaque: '"b"' }, { weak: false, opaque: '"c"' }
    ])
    expect(parseEntityTags('""')).toEqual([{ weak: false, opaque: '""' }])
  })

  test('malformed fields are undefined', () => {
    for (const field of ['abc', '"a', 'W/abc', '"a" "b"', '"a"b', '*, "a"', 'w/"a"']) {
      expect(parseEntityTags(field), field).toBeUndefined()
    }
  })
})

describe('If-None-Match: weak comparison (§13.1.2)', () => {
  test.each([
    [undefined, false],
    ['*', true],
    [TAG, true],
    [`W/${TAG}`, true],
    [`"x", ${TAG}`, true],
    ['"x", "y"', false],
    ['"ABC"', false],
    ['garbage', false]
  ])('%s -> 304: %s', (field, fails) => {
    expect(noneMatchFails(field, TAG)).toBe(fails)
  })
})

describe('If-Match: strong comparison (§13.1.1)', () => {
  test.each([
    [undefined, false],
    ['*', false],
    [TAG, false],
    [`"x", ${TAG}`, false],
    [`W/${TAG}`, true],
    ['"x", "y"', true],
    ['garbage', true]
  ])('%s -> 412: %s', (field, fails) => {
    expect(matchFails(field, TAG)).toBe(fails)
  })

  test('comes before If-None-Match (§13.2.2)', () => {
    expect(evaluatePreconditions({ 'if-none-match': TAG }, TAG)).toBe('not-modified')
    expect(evaluatePreconditions({ 'if-match': TAG, 'if-none-match': TAG }, TAG)).toBe('not-modified')
    expect(() => evaluatePreconditions({ 'if-match': '"x"', 'if-none-match': TAG }, TAG)).toThrow(/If-Match/)
    expect(evaluatePreconditions({}, TAG)).toBeUndefined()
  })
})

describe('If-Range: strong comparison, dates never match (§13.1.5)', () => {
  test.each([
    [undefined, true],
    [TAG, true],
    [`W/${TAG}`, false],
    ['"other"', false],
    ['Sun, 06 Nov 1994 08:49:37 GMT', false],
    [`${TAG}, "x"`, false],
    ['*', false]
  ])('%s -> honour Range: %s', (field, allows) => {
    expect(ifRangeAllows(field, TAG)).toBe(allows)
  })
})
