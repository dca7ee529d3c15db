package io.flod.broker.network;

import io.flod.broker.auth.AccessControl;
import io.flod.broker.auth.SasAuthenticator;

/** What a listener with SASL needs: who may connect, and what each principal may do. */
public record SaslGate(SasAuthenticator authenticator, AccessControl access) {}
