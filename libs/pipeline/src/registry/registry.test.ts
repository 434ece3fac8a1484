/** The stage registry: one declaration per stage, ordered by job group and upstream, checked. */
import { describe, expect, it } from 'vitest';
import { defineStage, type StageDeclaration } from './declaration.js';
import { JOB_GROUPS } from './groups.js';
import { orderStages } from './order.js';
import { registeredStages, registerStage, stageNamed, stagesOfGroup, upstreamOf } from './registry.js';

function stub(name: string, group: StageDeclaration['group'], upstream: StageDeclaration['upstream']) {
  return defineStage({
    name,
    group,
    upstream,
    outputs: [`${name}.json`],
    config: () => ({}),
    run: async () => null,
    onChangedOutput: 'rerun',
  });
}

describe('stage registry', () => {
  it('lists the built-in stages in run order, each in a job group, the groups in chain order', () => {
    const stages = registeredStages();
    expect(stages.map((s) => [s.name, s.group])).toEqual([
      ['train', 'training'],
      ['pairs', 'recording'],
      ['record', 'recording'],
      ['stats', 'fitting'],
      ['probes', 'fitting'],
      ['consistency', 'fitting'],
      ['steer', 'steering'],
      ['patching', 'steering'],
      ['report', 'steering'],
    ]);
    for (const group of JOB_GROUPS) expect(stagesOfGroup(group).length).toBeGreaterThan(0);
    expect(new Set(stages.map((s) => s.group))).toEqual(new Set(JOB_GROUPS));
    // The report reads every other stage (the list above), in run order.
    const others = stages.map((s) => s.name).filter((name) => name !== 'report');
    expect(upstreamOf(stageNamed('report'))).toEqual(others);
    expect(upstreamOf(stageNamed('probes'))).toEqual(['pairs', 'record']);
    // Every output is declared once: the run-directory contract has one writer per file.
    const outputs = stages.flatMap((s) => s.outputs);
    expect(new Set(outputs).size).toBe(outputs.length);
  });

  it('refuses a duplicate, an unknown upstream, an upstream that runs later, and a cycle', () => {
    expect(() => registerStage(stub('pairs', 'fitting', []))).toThrow("stage 'pairs' is declared twice");
    expect(() => registerStage(stub('x', 'fitting', ['nope']))).toThrow(
      "stage 'x': unknown upstream stage 'nope'",
    );
    expect(() => registerStage(stub('early', 'recording', ['steer']))).toThrow(
      "stage 'early' (job group recording) reads 'steer', which runs later (job group steering)",
    );
    expect(() => orderStages([stub('a', 'fitting', ['b']), stub('b', 'fitting', ['a'])])).toThrow(
      "stages 'a', 'b' read each other in a cycle",
    );
    expect(() => stageNamed('nope')).toThrow(/^unknown stage 'nope'; known: train, pairs/);
    expect(registeredStages().map((s) => s.name)).not.toContain('x');
  });

  it('places a registered stage after its upstream and before the report, and removes it again', () => {
    const remove = registerStage(stub('echo', 'fitting', ['stats']));
    try {
      const names = registeredStages().map((s) => s.name);
      expect(names.indexOf('echo')).toBeGreaterThan(names.indexOf('stats'));
      expect(names.indexOf('echo')).toBeLessThan(names.indexOf('report'));
      expect(stagesOfGroup('fitting').map((s) => s.name)).toContain('echo');
      expect(upstreamOf(stageNamed('report'))).toContain('echo');
    } finally {
      remove();
    }
    expect(registeredStages().map((s) => s.name)).not.toContain('echo');
  });
});
