"""Extract typed records from documents: an agent with `output_type=`.

A scripted automation: three documents (two plain-text invoices and a PDF one, sent as a
`document` block) go through one agent; each run ends with a validated `Invoice`, and the
records are printed as JSON lines. Invalid output is sent back to the model with every problem
(`output_retries`), so the loop below never parses text itself.

Offline by default: an `agentkit.testing.FunctionModel` stands in for Claude and answers by
reading the documents with regular expressions, through the real wire protocol (the output
tool call, its validation and the re-ask are the same as with Claude). `--live` uses Claude
(needs ANTHROPIC_API_KEY).

    python examples/extract_structured.py [--live]
"""

from __future__ import annotations

import base64
import os
import re
import sys
from typing import Any

from pydantic import BaseModel, Field

from agentkit import Agent, Anthropic
from agentkit.testing import FunctionModel, ModelRequest

MODEL = os.environ.get("AGENTKIT_EXAMPLE_MODEL", "claude-sonnet-4-5")


class LineItem(BaseModel):
    """One billed line."""

    description: str
    quantity: int = Field(ge=1)
    unit_price: float = Field(ge=0, description="Price of one unit, in the invoice currency.")


class Invoice(BaseModel):
    """The fields of an invoice."""

    number: str = Field(description="The invoice number, e.g. INV-1042.")
    customer: str
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR.")
    items: list[LineItem]

    @property
    def total(self) -> float:
        """The sum of the lines."""
        return round(sum(i.quantity * i.unit_price for i in self.items), 2)


TEXT_INVOICES = [
    """INVOICE INV-1042
Customer: Blue Harbor Cafe
Currency: EUR
2 x Espresso machine descaler @ 14.50
1 x Milk frother @ 89.00""",
    """Invoice no. INV-1043 for Northwind Traders (amounts in USD)
- 10 x Paper cups (box) @ 6.25
- 3 x Oat milk (case) @ 21.00
- 1 x Delivery @ 0""",
]


def tiny_pdf(lines: list[str]) -> bytes:
    """A one-page PDF showing `lines` (uncompressed, so it stays small and readable)."""
    text = " ".join(f"({line}) Tj 0 -16 Td" for line in lines)
    stream = f"BT /F1 12 Tf 72 720 Td {text} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


PDF_INVOICE = tiny_pdf(
    ["Invoice INV-1044", "Customer: Fjord Bakery", "Currency: NOK", "4 x Sourdough starter @ 55.00"]
)


def documents() -> list[tuple[str, Any]]:
    """(name, prompt content) for each document: text, or a PDF document block."""
    docs: list[tuple[str, Any]] = [(f"text-{i + 1}", text) for i, text in enumerate(TEXT_INVOICES)]
    pdf_block = {
        "type": "document",
        "source": {
            "type": "base64",
            "media_type": "application/pdf",
            "data": base64.b64encode(PDF_INVOICE).decode(),
        },
    }
    docs.append(("scan.pdf", [pdf_block, {"type": "text", "text": "Extract this invoice."}]))
    return docs


# -- the offline stand-in for Claude ------------------------------------------------------------


def document_text(request: ModelRequest) -> str:
    """The first user turn's text, with a PDF's shown strings read out of its content stream."""
    content = request.messages[0]["content"]
    if isinstance(content, str):
        return content
    parts = []
    for block in content:
        if block.get("type") == "document":
            pdf = base64.b64decode(block["source"]["data"]).decode("latin-1")
            parts.extend(re.findall(r"\((.*?)\) Tj", pdf))
    return "\n".join(parts)


def read_invoice(text: str) -> dict[str, Any]:
    """What a careful reader makes of an invoice: its number, customer, currency and lines."""
    number = re.search(r"INV-\d+", text)
    customer = re.search(r"(?:Customer: |for )(.+?)(?:\n| \(|$)", text)
    currency = re.search(r"\b(EUR|USD|NOK|GBP)\b", text)
    lines = re.findall(r"(\d+) x (.+?) @ ([\d.]+)", text)
    return {
        "number": number.group(0) if number else "",
        "customer": customer.group(1).strip() if customer else "",
        "currency": currency.group(1) if currency else "",
        "items": [
            {"description": d.strip(), "quantity": int(q), "unit_price": float(p)}
            for q, d, p in lines
        ],
    }


def offline_claude(request: ModelRequest) -> Any:
    """Answer with the output tool call, as Claude does when asked for typed output."""
    return [
        {"type": "tool_use", "name": "final_result", "input": read_invoice(document_text(request))}
    ]


# -- the automation -----------------------------------------------------------------------------


def make_agent(live: bool) -> Agent[None, Invoice]:
    """The extraction agent: Claude with --live, else the offline stand-in."""
    if live:
        print(f"[live: Claude API, model {MODEL}]")
        client: Any = Anthropic()
    else:
        print("[offline: an agentkit.testing model reads the documents; --live for Claude]")
        client = FunctionModel(offline_claude)
    return Agent(
        client,
        model=MODEL,
        system="You extract invoice fields exactly as written. Never guess missing values.",
        output_type=Invoice,
        output_retries=2,
    )


def main(argv: list[str] | None = None) -> None:
    """Extract every document and print one JSON record per line, then the totals."""
    args = sys.argv[1:] if argv is None else argv
    agent = make_agent(live="--live" in args)
    records = []
    for name, content in documents():
        result = agent.run(content)
        invoice = result.output  # an Invoice, validated; a type checker knows it too
        records.append(invoice)
        print(f"{name}: {invoice.model_dump_json()}")
    for invoice in records:
        print(f"{invoice.number} {invoice.customer}: {invoice.total:.2f} {invoice.currency}")


if __name__ == "__main__":
    main()
