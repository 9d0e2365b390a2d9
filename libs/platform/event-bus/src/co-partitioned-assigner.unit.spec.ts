import { coPartitionedAssignment } from './co-partitioned-assigner';

describe('co-partitioned assignment', () => {
  it('gives partition p of every topic to the same member', () => {
    const topics = new Map([
      ['registration', [0, 1, 2]],
      ['artifact', [0, 1, 2]],
      ['governance', [0, 1, 2]],
    ]);
    const assignment = coPartitionedAssignment(['m-b', 'm-a'], topics);
    expect(Object.fromEntries(assignment)).toEqual({
      'm-a': { registration: [0, 2], artifact: [0, 2], governance: [0, 2] },
      'm-b': { registration: [1], artifact: [1], governance: [1] },
    });
  });

  it('assigns every partition exactly once, whatever the number of members', () => {
    const topics = new Map([
      ['a', [0, 1, 2, 3, 4]],
      ['b', [0, 1, 2, 3, 4]],
    ]);
    for (const count of [1, 2, 3, 7]) {
      const members = Array.from({ length: count }, (_, i) => `member-${i}`);
      const assignment = coPartitionedAssignment(members, topics);
      for (const topic of ['a', 'b']) {
        const assigned = [...assignment.values()].flatMap((ofMember) => ofMember[topic] ?? []).sort();
        expect(assigned).toEqual([0, 1, 2, 3, 4]);
      }
      for (const ofMember of assignment.values()) expect(ofMember['a']).toEqual(ofMember['b']);
    }
  });
});
