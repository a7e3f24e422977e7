package dev.ferry.agent.translate.policy;

/**
 * What the datapath learns about an address from the ipcache (longest prefix match): its own
 * identity (a pod's, HOST, or the prefix's block identity) and the block identity of the most
 * specific ipBlock prefix containing it (WORLD when none does), so that an ipBlock also matches
 * pod addresses, as the upstream conformance tests expect.
 */
public record IpcacheEntry(Identity identity, Identity block) {
}
