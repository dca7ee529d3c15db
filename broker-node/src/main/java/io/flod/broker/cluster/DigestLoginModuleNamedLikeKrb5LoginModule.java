package io.flod.broker.cluster;

import org.apache.zookeeper.server.auth.DigestLoginModule;

/**
 * ZooKeeper's DIGEST-MD5 login module under a name Helix recognises. Helix 2.0.1's ZkClient waits
 * for a session's SASL login to finish (the {@code SaslAuthenticated} state) only when the JAAS
 * section's module name contains {@code Krb5LoginModule} ({@code ZkClient.isKerberosAuthEnabled});
 * for any other module it waits for {@code SyncConnected}, which a SASL session leaves at once for
 * {@code SaslAuthenticated}, so Helix would never see it connected. ZooKeeper picks the mechanism
 * from the logged-in subject (no Kerberos principal: DIGEST-MD5), not from this name.
 */
public final class DigestLoginModuleNamedLikeKrb5LoginModule extends DigestLoginModule {}
