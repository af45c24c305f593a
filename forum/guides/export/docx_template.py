"""The project's own Word template for guides, ``templates/guides/guide-template.docx``.

Built from the XML below (not from python-docx's default template, which carries another
vendor's application name, a blank thumbnail, a bibliography part and 400 KB of Word's
styles): A4, en-GB in the styles and the document defaults, one sans typeface (the PDF's),
a Quote style with an indent and a left rule and no italics (so emphasis inside a quotation
shows), numbering definitions for real bulleted and numbered lists, and a footer with the
guide's title and "Page N of M". The exporter fills in the title.

The committed file is what :func:`build` makes; after changing this module run
``python -m forum.guides.export.docx_template`` (a test fails while they differ).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from forum.resources import resource_dir

# One typeface for every format: Arial by name (what a council's Word has), which
# fontconfig resolves to the metric-identical Liberation Sans the PDF embeds.
FONT = "Arial"
MONO_FONT = "Courier New"
TEMPLATE_PATH = Path(resource_dir("templates")) / "guides" / "guide-template.docx"
FOOTER_TITLE = "GUIDE TITLE"  # replaced by each guide's title

TEXT_COLOUR = "0B0C0C"
SECONDARY_COLOUR = "383F43"
RULE_COLOUR = "B1B4B6"
NOTE_RULE_COLOUR = "1D70B8"
LINK_COLOUR = "1D4F91"
# A4 in twentieths of a point, 20 mm side margins: 9,638 twips of text width.
PAGE_WIDTH, PAGE_HEIGHT, SIDE_MARGIN = 11906, 16838, 1134
TEXT_WIDTH = PAGE_WIDTH - 2 * SIDE_MARGIN
QUOTE_INDENT = 567  # 1 cm
LIST_STEP = 360
BULLET_NUM_ID = 1
NUMBER_NUM_ID = 2
BULLETS = ("•", "◦", "▪")

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _content_types() -> str:
    wml = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    overrides = {
        "/word/document.xml": f"{wml}.document.main+xml",
        "/word/styles.xml": f"{wml}.styles+xml",
        "/word/numbering.xml": f"{wml}.numbering+xml",
        "/word/settings.xml": f"{wml}.settings+xml",
        "/word/fontTable.xml": f"{wml}.fontTable+xml",
        "/word/footer1.xml": f"{wml}.footer+xml",
        "/docProps/core.xml": "application/vnd.openxmlformats-package.core-properties+xml",
        "/docProps/app.xml":
            "application/vnd.openxmlformats-officedocument.extended-properties+xml",
    }
    parts = "".join(f'<Override PartName="{name}" ContentType="{kind}"/>'
                    for name, kind in overrides.items())
    return (f'{XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{parts}</Types>')


def _relationships(targets: dict[str, tuple[str, str]]) -> str:
    rels = "".join(f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>'
                   for rid, (kind, target) in targets.items())
    return f'{XML}<Relationships xmlns="{RELS_NS}">{rels}</Relationships>'


def _package_rels() -> str:
    return _relationships({
        "rId1": (f"{OFFICE_RELS}/officeDocument", "word/document.xml"),
        "rId2": ("http://schemas.openxmlformats.org/package/2006/relationships/metadata/"
                 "core-properties", "docProps/core.xml"),
        "rId3": (f"{OFFICE_RELS}/extended-properties", "docProps/app.xml"),
    })


def _document_rels() -> str:
    return _relationships({
        "rId1": (f"{OFFICE_RELS}/styles", "styles.xml"),
        "rId2": (f"{OFFICE_RELS}/numbering", "numbering.xml"),
        "rId3": (f"{OFFICE_RELS}/settings", "settings.xml"),
        "rId4": (f"{OFFICE_RELS}/fontTable", "fontTable.xml"),
        "rId5": (f"{OFFICE_RELS}/footer", "footer1.xml"),
    })


def _core() -> str:
    return (f'{XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            "<dc:language>en-GB</dc:language><cp:revision>1</cp:revision>"
            "</cp:coreProperties>")


def _app() -> str:
    # No application name: the file was made by this project, not by a word processor.
    return (f'{XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'extended-properties"><DocSecurity>0</DocSecurity>'
            "<LinksUpToDate>false</LinksUpToDate></Properties>")


def _fonts(size: int | None = None, *, bold: bool = False, italic: bool = False,
           colour: str | None = None) -> str:
    parts = ["<w:b/>" if bold else "", "<w:i/>" if italic else "",
             f'<w:color w:val="{colour}"/>' if colour else "",
             f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>' if size else ""]
    return "".join(parts)


def _style(style_id: str, name: str, *, based_on: str | None = "Normal", next_style: str = "",
           ppr: str = "", rpr: str = "", kind: str = "paragraph", default: bool = False,
           outline: int | None = None) -> str:
    if outline is not None:
        ppr += f'<w:outlineLvl w:val="{outline}"/>'
    flag = ' w:default="1"' if default else ""
    return (f'<w:style w:type="{kind}" w:styleId="{style_id}"{flag}><w:name w:val="{name}"/>'
            + (f'<w:basedOn w:val="{based_on}"/>' if based_on else "")
            + (f'<w:next w:val="{next_style}"/>' if next_style else "")
            + "<w:qFormat/>"
            + (f"<w:pPr>{ppr}</w:pPr>" if ppr else "")
            + (f"<w:rPr>{rpr}</w:rPr>" if rpr else "")
            + "</w:style>")


def _rule(colour: str, size: int = 18) -> str:
    return (f'<w:pBdr><w:left w:val="single" w:sz="{size}" w:space="10" '
            f'w:color="{colour}"/></w:pBdr>')


def _styles() -> str:
    fonts = (f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" '
             f'w:cs="{FONT}"/>')
    defaults = (f"<w:docDefaults><w:rPrDefault><w:rPr>{fonts}"
                f'<w:color w:val="{TEXT_COLOUR}"/><w:sz w:val="22"/><w:szCs w:val="22"/>'
                '<w:lang w:val="en-GB" w:eastAsia="en-GB" w:bidi="en-GB"/></w:rPr>'
                '</w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="160" w:line="288" '
                'w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>')
    heading = '<w:keepNext/><w:keepLines/><w:spacing w:before="{}" w:after="{}"/>'
    styles = [
        _style("Normal", "Normal", based_on=None, default=True),
        ('<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
         '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/>'
         "<w:semiHidden/></w:style>"),
        _style("Title", "Title", next_style="Subtitle", ppr='<w:spacing w:after="240"/>',
               rpr=_fonts(56, bold=True)),
        _style("Subtitle", "Subtitle", next_style="Normal", ppr='<w:spacing w:after="240"/>',
               rpr=_fonts(32, colour=SECONDARY_COLOUR)),
        *(_style(f"Heading{level}", f"heading {level}", next_style="Normal",
                 ppr=heading.format(*spacing), rpr=_fonts(size, bold=True), outline=level - 1)
          for level, size, spacing in [(1, 36, (480, 200)), (2, 28, (360, 160)),
                                       (3, 24, (280, 120)), (4, 22, (240, 120)),
                                       (5, 22, (240, 120)), (6, 22, (240, 120))]),
        _style("TOCHeading", "TOC Heading", based_on="Heading1", next_style="Normal",
               ppr='<w:pageBreakBefore/><w:outlineLvl w:val="9"/>'),
        _style("TOC1", "toc 1", next_style="Normal",
               ppr=(f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{TEXT_WIDTH}"/>'
                    '</w:tabs><w:spacing w:after="100"/>')),
        _style("GuideContentsNote", "Guide Contents Note", next_style="Normal",
               ppr='<w:spacing w:before="200" w:after="160"/>',
               rpr=_fonts(20, italic=True, colour=SECONDARY_COLOUR)),
        _style("Quote", "Quote", next_style="Normal",
               ppr=f'{_rule(RULE_COLOUR)}<w:spacing w:after="120"/>'
                   f'<w:ind w:left="{QUOTE_INDENT}"/>'),
        _style("GuideCredit", "Guide Credit", next_style="Normal",
               ppr=f'<w:keepLines/><w:spacing w:after="280"/><w:ind w:left="{QUOTE_INDENT}"/>',
               rpr=_fonts(20, colour=SECONDARY_COLOUR)),
        _style("GuideEditorialNote", "Guide Editorial Note", next_style="Normal",
               ppr=(f'{_rule(NOTE_RULE_COLOUR)}<w:shd w:val="clear" w:color="auto" '
                    f'w:fill="F3F2F1"/><w:spacing w:after="80"/>'
                    f'<w:ind w:left="{QUOTE_INDENT}"/>'),
               rpr=_fonts(italic=True)),
        _style("ListBullet", "List Bullet",
               ppr=f'<w:numPr><w:numId w:val="{BULLET_NUM_ID}"/></w:numPr>'),
        _style("ListNumber", "List Number",
               ppr=f'<w:numPr><w:numId w:val="{NUMBER_NUM_ID}"/></w:numPr>'),
        _style("GuideClosing", "Guide Closing", next_style="Normal",
               ppr='<w:spacing w:after="80"/>', rpr=_fonts(20, colour=SECONDARY_COLOUR)),
        _style("Footer", "footer", ppr=(f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_WIDTH}"/>'
                                        '</w:tabs><w:spacing w:after="0"/>'),
               rpr=_fonts(18, colour=SECONDARY_COLOUR)),
        _style("Hyperlink", "Hyperlink", kind="character", based_on="DefaultParagraphFont",
               rpr=f'<w:color w:val="{LINK_COLOUR}"/><w:u w:val="single"/>'),
        _style("GuideCode", "Guide Code", kind="character", based_on="DefaultParagraphFont",
               rpr=(f'<w:rFonts w:ascii="{MONO_FONT}" w:hAnsi="{MONO_FONT}" '
                    f'w:cs="{MONO_FONT}"/><w:sz w:val="20"/>')),
        ('<w:style w:type="table" w:default="1" w:styleId="TableNormal">'
         '<w:name w:val="Normal Table"/><w:semiHidden/><w:tblPr><w:tblInd w:w="0" '
         'w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" '
         'w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
         "</w:tblCellMar></w:tblPr></w:style>"),
        ('<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/>'
         '<w:basedOn w:val="TableNormal"/><w:pPr><w:spacing w:after="0"/></w:pPr><w:tblPr>'
         "<w:tblBorders>"
         + "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="{RULE_COLOUR}"/>'
                   for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
         + "</w:tblBorders></w:tblPr></w:style>"),
    ]
    return (f'{XML}<w:styles xmlns:w="{W}">{defaults}'
            '<w:latentStyles w:defLockedState="0" w:defUIPriority="99" w:defSemiHidden="0" '
            'w:defUnhideWhenUsed="0" w:defQFormat="0" w:count="0"/>'
            f'{"".join(styles)}</w:styles>')


def _level(level: int, fmt: str, text: str) -> str:
    left = LIST_STEP * (level + 1)
    return (f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
            f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{left}" w:hanging="{LIST_STEP}"/></w:pPr></w:lvl>')


def _numbering() -> str:
    bullets = "".join(_level(n, "bullet", BULLETS[n % len(BULLETS)]) for n in range(9))
    numbers = "".join(_level(n, "decimal", f"%{n + 1}.") for n in range(9))
    return (f'{XML}<w:numbering xmlns:w="{W}">'
            f'<w:abstractNum w:abstractNumId="0"><w:multiLevelType w:val="hybridMultilevel"/>'
            f"{bullets}</w:abstractNum>"
            f'<w:abstractNum w:abstractNumId="1"><w:multiLevelType w:val="hybridMultilevel"/>'
            f"{numbers}</w:abstractNum>"
            f'<w:num w:numId="{BULLET_NUM_ID}"><w:abstractNumId w:val="0"/></w:num>'
            f'<w:num w:numId="{NUMBER_NUM_ID}"><w:abstractNumId w:val="1"/></w:num>'
            "</w:numbering>")


def _settings() -> str:
    return (f'{XML}<w:settings xmlns:w="{W}"><w:defaultTabStop w:val="720"/>'
            '<w:characterSpacingControl w:val="doNotCompress"/>'
            '<w:compat><w:compatSetting w:name="compatibilityMode" '
            'w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>'
            '<w:themeFontLang w:val="en-GB"/><w:decimalSymbol w:val="."/>'
            '<w:listSeparator w:val=","/></w:settings>')


def _font_table() -> str:
    return (f'{XML}<w:fonts xmlns:w="{W}"><w:font w:name="{FONT}"><w:family w:val="swiss"/>'
            f'<w:pitch w:val="variable"/></w:font><w:font w:name="{MONO_FONT}">'
            '<w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font></w:fonts>')


def _field(instruction: str) -> str:
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def _footer() -> str:
    return (f'{XML}<w:ftr xmlns:w="{W}" xmlns:r="{R}"><w:p><w:pPr><w:pStyle w:val="Footer"/>'
            f"</w:pPr><w:r><w:t>{FOOTER_TITLE}</w:t></w:r><w:r><w:tab/></w:r>"
            '<w:r><w:t xml:space="preserve">Page </w:t></w:r>' + _field("PAGE")
            + '<w:r><w:t xml:space="preserve"> of </w:t></w:r>' + _field("NUMPAGES")
            + "</w:p></w:ftr>")


def _document() -> str:
    # The cover page (titlePg) has no footer; the others show the title and page numbers.
    return (f'{XML}<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body><w:sectPr>'
            '<w:footerReference w:type="default" r:id="rId5"/>'
            f'<w:pgSz w:w="{PAGE_WIDTH}" w:h="{PAGE_HEIGHT}"/>'
            f'<w:pgMar w:top="1247" w:right="{SIDE_MARGIN}" w:bottom="1361" '
            f'w:left="{SIDE_MARGIN}" w:header="680" w:footer="680" w:gutter="0"/>'
            "<w:titlePg/></w:sectPr></w:body></w:document>")


def build() -> bytes:
    """The template package, byte for byte the same on every run."""
    parts = {
        "[Content_Types].xml": _content_types(),
        "_rels/.rels": _package_rels(),
        "docProps/core.xml": _core(),
        "docProps/app.xml": _app(),
        "word/document.xml": _document(),
        "word/_rels/document.xml.rels": _document_rels(),
        "word/styles.xml": _styles(),
        "word/numbering.xml": _numbering(),
        "word/settings.xml": _settings(),
        "word/fontTable.xml": _font_table(),
        "word/footer1.xml": _footer(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


if __name__ == "__main__":
    TEMPLATE_PATH.write_bytes(build())
    print(f"Wrote {TEMPLATE_PATH}")
