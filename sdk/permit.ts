/** ERC-2612 permits for the payment token: one signature instead of an approval transaction. */
import { Signature, type Signer } from "ethers";

/** The parts of an ERC-20 with permit that signing needs. */
export interface PermitToken {
  name(): Promise<string>;
  nonces(owner: string): Promise<bigint>;
  getAddress(): Promise<string>;
}

const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** Signs a permit letting `spender` pull `value` of `token` from `signer` until `deadline` (unix time). */
export async function signPermit(signer: Signer, token: PermitToken, spender: string, value: bigint, deadline: bigint) {
  const owner = await signer.getAddress();
  const [name, nonce, verifyingContract, network] = await Promise.all([
    token.name(),
    token.nonces(owner),
    token.getAddress(),
    signer.provider!.getNetwork(),
  ]);
  const signature = await signer.signTypedData({ name, version: "1", chainId: network.chainId, verifyingContract }, PERMIT_TYPES, {
    owner,
    spender,
    value,
    nonce,
    deadline,
  });
  const { v, r, s } = Signature.from(signature);
  return { v, r, s, deadline };
}
