import { BaseWallet, SigningKey, getAddress, hashMessage, type Signer } from "ethers";

import { InvalidPublicKeyError } from "../../errors.js";
import { assertPublicKeyMatchesAddress, toHex } from "../../crypto/index.js";

/** The message a signer signs to reveal its public key; it grants nothing and names the account. */
export function publicKeyRegistrationMessage(address: string): string {
  return `CareLedger public key registration\nAccount: ${getAddress(address)}\nThis signature only reveals your public key; it authorises nothing.`;
}

/**
 * The secp256k1 public key (compressed, 0x-hex) of the account behind `signer`. A Wallet knows it;
 * any other signer (JSON-RPC account, hardware wallet, Hardhat's signer) signs a fixed message and
 * the key is recovered from the signature. Either way the key is checked against the address.
 */
export async function publicKeyOfSigner(signer: Signer): Promise<string> {
  const address = await signer.getAddress();
  let publicKey: string;
  if (signer instanceof BaseWallet) {
    publicKey = signer.signingKey.compressedPublicKey;
  } else {
    const message = publicKeyRegistrationMessage(address);
    const signature = await signer.signMessage(message);
    publicKey = SigningKey.recoverPublicKey(hashMessage(message), signature);
  }
  const parsed = assertPublicKeyMatchesAddress(publicKey, address);
  if (parsed.address.toLowerCase() !== address.toLowerCase()) {
    throw new InvalidPublicKeyError("address-mismatch", address, parsed.address);
  }
  return toHex(parsed.compressed);
}
