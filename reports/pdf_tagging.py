"""Tagging the briefing PDF for PDF/UA-1: marked content while reportlab draws, a structure tree afterwards.

While the document is drawn, every page is one artifact (page furniture: bands, rules, the footer, the
DRAFT mark, table lines) except the leaves of the structure, each drawn inside its own marked-content
sequence with a number (MCID): a ``TaggedParagraph`` (a heading, a paragraph, a list item's label and
body, a table cell) or a ``TaggedImage`` (a chart, with its text alternative). Each leaf carries a
``Tag``: its role, the key of its structure element (a paragraph split across pages or columns keeps
one key, so it stays one element) and the keys of the containers it sits in (a list and its item, a
table and its row). The order in which leaves are drawn is the reading order.

``add_structure`` then builds the structure tree from that record with pikepdf: the elements in reading
order, the parent tree, links as Link elements over their annotations, a /Scope on header cells, the
document's XMP metadata (title, language, PDF/UA part 1) and MarkInfo.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

import pikepdf
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Image, Paragraph
from reportlab.platypus import paragraph as paragraph_module

Parents = tuple[tuple[str, str], ...]
_KEYS = itertools.count()


def new_key(prefix: str) -> str:
    """A key for one structure element (only used while building; never written to the file)."""
    return f"{prefix}-{next(_KEYS)}"


@dataclass(frozen=True)
class Tag:
    """What a leaf is in the structure: its role, its element's key, and its containers (outermost first)."""

    role: str
    key: str = field(default_factory=lambda: new_key("leaf"))
    parents: Parents = ()
    alt: str = ""
    label: bool = False  # a list item whose bullet is drawn with it: the bullet becomes its Lbl


@dataclass
class Leaf:
    """One marked-content sequence as drawn: on which page, its MCID, its tag and where it lies."""

    page: int
    mcid: int
    role: str
    key: str
    parents: Parents
    alt: str
    box: tuple[float, float, float, float]


class Tagger:
    """Kept on the canvas while a document is drawn: opens and closes marked content, records each leaf."""

    def __init__(self) -> None:
        self.leaves: list[Leaf] = []
        self._page = 0
        self._next_mcid = 0
        self._open = False
        self._drawn: set[str] = set()

    def begin_page(self, canv: Canvas) -> None:
        if self._page != canv.getPageNumber():
            self._page, self._next_mcid = canv.getPageNumber(), 0
            canv.addLiteral("/Artifact BMC")

    def end_page(self, canv: Canvas) -> None:
        if self._page == canv.getPageNumber():
            canv.addLiteral("EMC")
            self._page = -1

    def open(self, canv: Canvas, tag: Tag, role: str, key: str, box: tuple[float, float, float, float]) -> bool:
        """Start a leaf's marked content; False (it stays an artifact) for a table header repeated on a new page."""
        if role == "TH" and key in self._drawn:
            return False
        self.begin_page(canv)
        self._drawn.add(key)
        mcid, self._next_mcid = self._next_mcid, self._next_mcid + 1
        self.leaves.append(Leaf(self._page, mcid, role, key, tag.parents, tag.alt, box))
        canv.addLiteral(f"EMC /{role} <</MCID {mcid}>> BDC")
        self._open = True
        return True

    def close(self, canv: Canvas) -> None:
        if self._open:
            canv.addLiteral("EMC /Artifact BMC")
            self._open = False


def tagger_of(canv: Canvas) -> Tagger | None:
    return getattr(canv, "tagger", None)


def _box(canv: Canvas, width: float, height: float) -> tuple[float, float, float, float]:
    x0, y0 = canv.absolutePosition(0, 0)
    x1, y1 = canv.absolutePosition(width, height)
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


class TaggedParagraph(Paragraph):
    """A paragraph drawn as one leaf of the structure: a P unless its ``tag`` says otherwise."""

    def __init__(self, *args: Any, tag: Tag | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tag = tag or Tag("P")

    def split(self, availWidth: float, availHeight: float) -> list[Any]:  # noqa: N803  # reportlab's names
        parts: list[Any] = super().split(availWidth, availHeight)
        for part in parts:
            part.tag = self.tag  # both halves are one element
        return parts

    def draw(self) -> None:
        tagger = tagger_of(self.canv)
        if tagger is None:
            super().draw()
            return
        box = _box(self.canv, self.width, self.height)
        tag = self.tag
        if tag.label and self.bulletText:
            self.canv._pending_label = (tagger, tag, box)  # type: ignore[attr-defined]  # read by _label_bullet
            super().draw()
            self.canv._pending_label = None  # type: ignore[attr-defined]
        else:
            tagger.open(self.canv, tag, tag.role, tag.key, box)
            super().draw()
        tagger.close(self.canv)


class TaggedImage(Image):
    """An image drawn as a Figure with its text alternative."""

    def __init__(self, *args: Any, alt: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tag = Tag("Figure", alt=alt)

    def draw(self) -> None:
        tagger = tagger_of(self.canv)
        if tagger is not None:
            tagger.open(self.canv, self.tag, "Figure", self.tag.key, _box(self.canv, self.drawWidth, self.drawHeight))
        super().draw()
        if tagger is not None:
            tagger.close(self.canv)


def list_item(list_key: str) -> Tag:
    """The tag of one bulleted item of the list ``list_key``: its bullet is the Lbl, its text the LBody."""
    return Tag("LBody", parents=(("L", list_key), ("LI", new_key("item"))), label=True)


def _mend_bullets() -> None:
    """reportlab draws a paragraph's bullet first, in its own text object: mark it as the item's Lbl, the rest
    as its LBody (patched once, acting only while a tagged list item is drawn)."""
    original: Callable[..., Any] = paragraph_module._drawBullet  # type: ignore[attr-defined]
    if getattr(original, "tagging", False):
        return

    def draw_bullet(canvas: Canvas, *args: Any, **kwargs: Any) -> Any:
        pending = getattr(canvas, "_pending_label", None)
        if pending is None:
            return original(canvas, *args, **kwargs)
        tagger, tag, box = pending
        canvas._pending_label = None  # type: ignore[attr-defined]
        tagger.open(canvas, tag, "Lbl", tag.key + ":label", box)
        offset = original(canvas, *args, **kwargs)
        tagger.close(canvas)
        tagger.open(canvas, tag, "LBody", tag.key, box)
        return offset

    draw_bullet.tagging = True  # type: ignore[attr-defined]
    paragraph_module._drawBullet = draw_bullet  # type: ignore[attr-defined]


_mend_bullets()


# --------------------------------------------------------------------------- after drawing


@dataclass(frozen=True)
class DocumentFacts:
    title: str
    author: str
    subject: str
    language: str
    created: datetime | None


def add_structure(pdf: bytes, leaves: Sequence[Leaf], facts: DocumentFacts) -> bytes:
    """The PDF with its structure tree, parent tree, tagged links, XMP metadata and MarkInfo."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        builder = _TreeBuilder(document)
        for leaf in leaves:
            builder.add(leaf)
        builder.tag_links()
        builder.finish()
        _add_metadata(document, facts)
        out = io.BytesIO()
        document.save(
            out, deterministic_id=True, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate
        )
        return out.getvalue()


class _TreeBuilder:
    def __init__(self, document: pikepdf.Pdf) -> None:
        self.pdf = document
        self.root = document.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot, K=pikepdf.Array()))
        self.top = self._element("Document", self.root)
        self.root.K.append(self.top)
        self.elements: dict[str, pikepdf.Dictionary] = {}
        self.by_page: dict[int, dict[int, pikepdf.Dictionary]] = {}
        self.boxes: dict[int, list[tuple[tuple[float, float, float, float], pikepdf.Dictionary]]] = {}
        self.parent_tree: list[tuple[int, pikepdf.Object]] = []

    def _element(self, role: str, parent: pikepdf.Object) -> pikepdf.Dictionary:
        return self.pdf.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name("/" + role), P=parent, K=pikepdf.Array())
        )

    def _container(self, parents: Parents) -> pikepdf.Dictionary:
        parent = self.top
        for role, key in parents:
            element = self.elements.get(key)
            if element is None:
                element = self._element(role, parent)
                parent.K.append(element)
                self.elements[key] = element
            parent = element
        return parent

    def add(self, leaf: Leaf) -> None:
        parent = self._container(leaf.parents)
        element = self.elements.get(leaf.key)
        if element is None:
            element = self._element(leaf.role, parent)
            if leaf.alt:
                element.Alt = pikepdf.String(leaf.alt)
            if leaf.role == "TH":
                element.A = pikepdf.Dictionary(O=pikepdf.Name.Table, Scope=pikepdf.Name.Column)
            parent.K.append(element)
            self.elements[leaf.key] = element
        page = self.pdf.pages[leaf.page - 1].obj
        element.K.append(pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=page, MCID=leaf.mcid))
        self.by_page.setdefault(leaf.page, {})[leaf.mcid] = element
        if leaf.role != "Lbl":  # a link is in an item's body, never in its bullet
            self.boxes.setdefault(leaf.page, []).append((leaf.box, element))

    def tag_links(self) -> None:
        """Each link annotation becomes a Link element inside the paragraph it sits on."""
        key = len(self.pdf.pages)
        for number, page in enumerate(self.pdf.pages, start=1):
            page.obj.Tabs = pikepdf.Name.S
            for annotation in page.obj.get("/Annots", pikepdf.Array()):
                if annotation.get("/Subtype") != pikepdf.Name.Link:
                    continue
                owner = self._owner(number, [float(v) for v in annotation.Rect])
                link = self._element("Link", owner)
                link.K.append(pikepdf.Dictionary(Type=pikepdf.Name.OBJR, Obj=annotation, Pg=page.obj))
                owner.K.append(link)
                uri = annotation.get("/A", pikepdf.Dictionary()).get("/URI")
                annotation.Contents = pikepdf.String(f"Link to {uri}" if uri is not None else "Link")
                annotation.StructParent = key
                self.parent_tree.append((key, link))
                key += 1

    def _owner(self, page: int, rect: list[float]) -> pikepdf.Dictionary:
        x, y = (rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2
        for (x0, y0, x1, y1), element in self.boxes.get(page, []):
            if x0 - 1 <= x <= x1 + 1 and y0 - 1 <= y <= y1 + 1:
                return element
        return self.top

    def finish(self) -> None:
        for number, page in enumerate(self.pdf.pages, start=1):
            marked = self.by_page.get(number, {})
            page.obj.StructParents = number - 1
            self.parent_tree.append(
                (number - 1, self.pdf.make_indirect(pikepdf.Array([marked[m] for m in sorted(marked)])))
            )
        nums = pikepdf.Array()
        for key, value in sorted(self.parent_tree, key=lambda pair: pair[0]):
            nums.extend([pikepdf.Object.parse(str(key).encode()), value])
        self.root.ParentTree = self.pdf.make_indirect(pikepdf.Dictionary(Nums=nums))
        self.root.ParentTreeNextKey = len(self.parent_tree)
        self.pdf.Root.StructTreeRoot = self.root
        self.pdf.Root.MarkInfo = pikepdf.Dictionary(Marked=True)


def _add_metadata(document: pikepdf.Pdf, facts: DocumentFacts) -> None:
    when = (facts.created or datetime(2000, 1, 1, tzinfo=UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    xmp = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
 xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(facts.title)}</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>{escape(facts.author)}</rdf:li></rdf:Seq></dc:creator>
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(facts.subject)}</rdf:li></rdf:Alt></dc:description>
<dc:language><rdf:Bag><rdf:li>{escape(facts.language)}</rdf:li></rdf:Bag></dc:language>
<xmp:CreateDate>{when}</xmp:CreateDate>
<xmp:ModifyDate>{when}</xmp:ModifyDate>
<xmp:CreatorTool>Multi-agency case audit workbench</xmp:CreatorTool>
<pdf:Producer>ReportLab with pikepdf</pdf:Producer>
<pdfuaid:part>1</pdfuaid:part>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    stream = pikepdf.Stream(document, xmp.encode("utf-8"))
    stream.Type, stream.Subtype = pikepdf.Name.Metadata, pikepdf.Name.XML
    document.Root.Metadata = document.make_indirect(stream)
    document.docinfo.Producer = pikepdf.String("ReportLab with pikepdf")
