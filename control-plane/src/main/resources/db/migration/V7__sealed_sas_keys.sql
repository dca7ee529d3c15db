-- SAS keys are now sealed at rest (AES-256-GCM under the control plane's secrets key, see
-- sas.SecretBox): "v1:" + base64(nonce | ciphertext | tag) is about 100 characters. Keys stored
-- in clear by earlier versions are still read, and sealed when next regenerated.
ALTER TABLE authorization_rules ALTER COLUMN primary_key TYPE VARCHAR(256);
ALTER TABLE authorization_rules ALTER COLUMN secondary_key TYPE VARCHAR(256);
