import assert from 'node:assert/strict'
import {describe, it} from 'node:test'

import {inconclusiveLines} from '../../src/report/sweep-table.js'
import type {CandidateSummary} from '../../src/sweep/verdicts.js'

/** A passing candidate of a sweep whose only inconclusive row carries these records-needed fields. */
const candidate = (fields: {recordsNeeded: number | null; recordsNeededOver?: number | null; records: number}) =>
  ({label: 'lr-3e-5', verdict: 'pass', inconclusive: [{rule: 'failRate maxRise 0.02', cohort: 'ood:grounded-motion', recordsNeededOver: null, ...fields}]}) as unknown as CandidateSummary

describe('the sweep summary words the records needed as check does', () => {
  it('an astronomically large estimate (a row stored before the cap, or its JSON) reads "over 100 times these records", never the number', () => {
    for (const recordsNeeded of [1.1529114753442353e34, 2_633_053]) {
      const [line] = inconclusiveLines([candidate({recordsNeeded, records: 100})])
      assert.equal(line, '  (?) lr-3e-5: failRate maxRise 0.02 on ood:grounded-motion is inconclusive (the interval reaches past the limit): over 100 times these records would be needed (have 100)')
    }
  })

  it('a count within the cap is given, in the words check uses', () => {
    const [line] = inconclusiveLines([candidate({recordsNeeded: 1417, records: 100})])
    assert.match(line, /: about 1,417 records would be needed \(have 100\)$/)
  })

  it('a row of too few records says so, not that its interval reaches past the limit', () => {
    const [line] = inconclusiveLines([candidate({recordsNeeded: 20, records: 12})])
    assert.equal(line, '  (?) lr-3e-5: failRate maxRise 0.02 on ood:grounded-motion is inconclusive (too few records to test it): at least 20 records are needed to test it (have 12)')
  })
})
