/**
 * The explorer's one decoder (explorer/src/chain/events.ts) reads a request's bytes by its model's
 * kind: a circuit model's canonical tensor at the model's scale, a language model's UTF-8 text;
 * bytes that are neither are shown as such, never thrown.
 */
import { expect } from "chai";
import { decodeOutput, decodeRequestInput, describeData } from "../../explorer/src/chain/events.js";
import { encodeTensor, encodeText } from "../../sdk/index.js";

const circuit = { kind: "circuit" as const, input: { length: 3, scale: 8 }, output: { length: 1, scale: 24 } };
const language = { kind: "language" as const, input: { length: 256, scale: 0 }, output: { length: 64, scale: 0 } };

describe("the explorer's decoder of request inputs and answers", () => {
  it("reads a circuit model's tensor at its scale", () => {
    const input = decodeRequestInput(encodeTensor([256n, -128n, 64n]), circuit);
    expect(input).to.deep.equal({ kind: "tensor", raw: [256n, -128n, 64n], values: [1, -0.5, 0.25], scale: 8 });
    expect(describeData(decodeOutput(encodeTensor([1n << 23n]), circuit))).to.equal("0.5");
  });

  it("shows a language model's answer as its UTF-8 text", () => {
    expect(decodeOutput(encodeText("Bonjour, señor — ça va ? 👋"), language)).to.deep.equal({
      kind: "text",
      text: "Bonjour, señor — ça va ? 👋",
    });
    expect(describeData(decodeRequestInput(encodeText("What is 2 + 2?"), language))).to.equal("What is 2 + 2?");
  });

  it("says what is wrong with bytes that do not match the model, instead of failing", () => {
    expect(decodeOutput("0xc3", language)).to.deep.equal({ kind: "undecodable", why: "the bytes are not UTF-8 text" });
    expect(decodeOutput("0x0301", circuit).kind).to.equal("undecodable");
    expect(decodeRequestInput(encodeTensor([1n, 2n]), circuit)).to.deep.equal({
      kind: "undecodable",
      why: "2 values where the model has 3",
    });
  });
});
