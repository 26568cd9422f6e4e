/**
 * The relayer's signing key: from an environment variable, or from an encrypted
 * JSON keystore whose password is in an environment variable. The key itself is
 * never logged and never written anywhere.
 */
import { readFileSync } from "node:fs";
import { Wallet, type Provider } from "ethers";
import type { RelayerConfig } from "./config.js";
import { ConfigError } from "./config.js";

export async function loadSigner(source: RelayerConfig["key"], provider: Provider): Promise<Wallet> {
  if ("env" in source) {
    const key = process.env[source.env];
    if (!key)
      throw new ConfigError(`field "key.env": the environment variable ${source.env} is not set; put the relayer's private key there`);
    try {
      return new Wallet(key, provider);
    } catch {
      throw new ConfigError(`field "key.env": ${source.env} does not hold a valid private key (expected 32 bytes of hex)`);
    }
  }
  const password = process.env[source.passwordEnv];
  if (password === undefined) {
    throw new ConfigError(
      `field "key.passwordEnv": the environment variable ${source.passwordEnv} is not set; put the keystore's password there`,
    );
  }
  let json: string;
  try {
    json = readFileSync(source.keystore, "utf8");
  } catch (error) {
    throw new ConfigError(`field "key.keystore": cannot read ${source.keystore} (${(error as Error).message})`);
  }
  try {
    return (await Wallet.fromEncryptedJson(json, password)).connect(provider) as Wallet;
  } catch {
    throw new ConfigError(`field "key.keystore": cannot decrypt ${source.keystore} with the password in ${source.passwordEnv}`);
  }
}
