package io.flod.broker.cluster;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.auth.login.Configuration;
import javax.security.auth.login.LoginException;
import javax.security.sasl.AuthorizeCallback;
import javax.security.sasl.RealmCallback;
import org.apache.zookeeper.Login;
import org.apache.zookeeper.client.ZKClientConfig;
import org.apache.zookeeper.common.ZKConfig;
import org.apache.zookeeper.server.auth.DigestLoginModule;

/**
 * SASL (DIGEST-MD5) identities for ZooKeeper sessions, set up in code rather than in a JAAS file.
 *
 * <p>An identity is JVM-wide ({@link #useIdentity}): Helix makes its ZooKeeper clients itself and
 * offers no hook to authenticate them, but every ZooKeeper client authenticates with the JAAS
 * section {@code Client}, so installing that section covers Helix's clients too. A broker or an
 * agent is one cluster's, and the control plane is one operator, so one identity per JVM is what
 * they need. {@link #clientConfig} gives a single client another identity (tests, tools).
 *
 * <p>DIGEST-MD5 is a challenge-response: the password never crosses the wire; it is not a FIPS
 * mechanism, and ZooKeeper's FIPS mode is turned off for it. TLS with client certificates
 * (ZooKeeper's x509 provider) is the stronger choice once clusters have certificates of their own.
 *
 * <p>The server side ({@link #serverLogin}) checks passwords through a function rather than a fixed
 * user list, so that clusters made after the server started can log in.
 */
public final class ZkLogin {
  private static final String CLIENT_SECTION = "Client";
  private static final String SERVER_SECTION = "FlodZooKeeperServer";
  private static final String FIPS_MODE = org.apache.zookeeper.common.X509Util.FIPS_MODE_PROPERTY;
  private static final Sections SECTIONS = new Sections();

  private ZkLogin() {}

  /** Every ZooKeeper client made in this JVM from now on logs in as {@code user}. */
  public static void useIdentity(String user, String password) {
    SECTIONS.put(CLIENT_SECTION, user, password);
    // ZooKeeper refuses DIGEST-MD5 in its FIPS mode (on by default since 3.8.2); the clients this
    // JVM makes take the setting from here, as Helix passes them no configuration of their own.
    System.setProperty(FIPS_MODE, "false");
  }

  /** ZooKeeper clients made in this JVM from now on are anonymous (a ZooKeeper without a fence). */
  public static void clearIdentity() {
    SECTIONS.remove(CLIENT_SECTION);
  }

  /** A client configuration that logs in as {@code user}, whatever this JVM's identity is. */
  public static ZKClientConfig clientConfig(String user, String password) {
    String section = "flod-zk-" + user;
    SECTIONS.put(section, user, password);
    ZKClientConfig config = new ZKClientConfig();
    config.setProperty(ZKClientConfig.LOGIN_CONTEXT_NAME_KEY, section);
    config.setProperty(FIPS_MODE, "false");
    return config;
  }

  /** A server login that accepts a user whose password {@code passwordOf} gives (null: none). */
  static Login serverLogin(Function<String, String> passwordOf) {
    SECTIONS.put(SERVER_SECTION, null, null);
    try {
      return new Login(SERVER_SECTION, () -> new PasswordLookup(passwordOf), new ZKConfig());
    } catch (LoginException e) {
      throw new IllegalStateException("cannot set up ZooKeeper's SASL login", e);
    }
  }

  /** Answers the DIGEST-MD5 server's questions from a password function. */
  private static final class PasswordLookup implements CallbackHandler {
    private final Function<String, String> passwordOf;
    private String user;

    PasswordLookup(Function<String, String> passwordOf) {
      this.passwordOf = passwordOf;
    }

    @Override
    public void handle(Callback[] callbacks) {
      for (Callback callback : callbacks) {
        if (callback instanceof NameCallback name) {
          user = name.getDefaultName();
          name.setName(user);
        } else if (callback instanceof PasswordCallback password) {
          String known = user == null ? null : passwordOf.apply(user);
          if (known != null) {
            password.setPassword(known.toCharArray());
          }
        } else if (callback instanceof RealmCallback realm) {
          realm.setText(realm.getDefaultText());
        } else if (callback instanceof AuthorizeCallback authorize) {
          authorize.setAuthorized(
              authorize.getAuthenticationID().equals(authorize.getAuthorizationID()));
          authorize.setAuthorizedID(authorize.getAuthorizationID());
        }
      }
    }
  }

  /**
   * The JVM's JAAS configuration with Flod's sections added; sections it does not know come from
   * the configuration that was installed before (a JAAS file, if any).
   */
  private static final class Sections extends Configuration {
    private final Map<String, AppConfigurationEntry[]> entries = new ConcurrentHashMap<>();
    private Configuration fallback;
    private boolean installed;

    synchronized void put(String section, String user, String password) {
      Map<String, String> options =
          user == null ? Map.of() : Map.of("username", user, "password", password);
      entries.put(
          section,
          new AppConfigurationEntry[] {
            new AppConfigurationEntry(
                (user == null
                        ? DigestLoginModule.class
                        : DigestLoginModuleNamedLikeKrb5LoginModule.class)
                    .getName(),
                AppConfigurationEntry.LoginModuleControlFlag.REQUIRED,
                options)
          });
      if (!installed) {
        try {
          fallback = Configuration.getConfiguration();
        } catch (SecurityException e) {
          fallback = null; // no JAAS file: Flod's sections are the whole configuration
        }
        Configuration.setConfiguration(this);
        installed = true;
      }
    }

    void remove(String section) {
      entries.remove(section);
    }

    @Override
    public AppConfigurationEntry[] getAppConfigurationEntry(String name) {
      AppConfigurationEntry[] own = entries.get(name);
      if (own != null || fallback == null) {
        return own;
      }
      return fallback.getAppConfigurationEntry(name);
    }
  }
}
