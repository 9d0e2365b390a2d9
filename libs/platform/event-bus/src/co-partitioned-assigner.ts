import { AssignerProtocol } from 'kafkajs';
import type { PartitionAssigner } from 'kafkajs';

/**
 * Partition p of every topic a group reads goes to the same member: the members sorted, p to member p mod n.
 * The producer keys every event of a model by the model (partitionKeyOf), so this is what puts all of a model's
 * events — registration's, artifacts', governance's — in one process, even for a group reading several topics
 * (the version documents' projection reads registration and artifact events). kafkajs's default round robin
 * deals the partitions of all topics out in one sequence, which with 3 partitions and 2 members gives partition 0
 * of one topic to one member and partition 0 of the next to the other: two processes then wrote one document.
 */
export function coPartitionedAssignment(memberIds: readonly string[], partitionsByTopic: ReadonlyMap<string, readonly number[]>): Map<string, Record<string, number[]>> {
  const members = [...memberIds].sort();
  const assignment = new Map<string, Record<string, number[]>>();
  if (members.length === 0) return assignment;
  for (const [topic, partitions] of partitionsByTopic) {
    for (const partition of partitions) {
      const member = members[partition % members.length];
      const ofMember = assignment.get(member) ?? {};
      (ofMember[topic] ??= []).push(partition);
      assignment.set(member, ofMember);
    }
  }
  return assignment;
}

export const CoPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: 'MregCoPartitionedAssigner',
  version: 0,
  assign({ members, topics }) {
    const partitions = new Map(topics.map((topic) => [topic, cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId)] as const));
    const assignment = coPartitionedAssignment(
      members.map((m) => m.memberId),
      partitions,
    );
    return Promise.resolve([...assignment].map(([memberId, topicsOf]) => ({ memberId, memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: topicsOf, userData: Buffer.alloc(0) }) })));
  },
  protocol({ topics }) {
    return { name: 'MregCoPartitionedAssigner', metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
  },
});
