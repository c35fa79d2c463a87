"""Amiri Regular with a `jalt` feature: wider alternates of final letters.
Test fixture only: the alternates are the final forms stretched sideways."""
import sys
from fontTools.ttLib import TTFont
from fontTools.pens.transformPen import TransformPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib.tables import otTables as ot

src, out = sys.argv[1], sys.argv[2]
font = TTFont(src)
cmap = font.getBestCmap()
gsub = font['GSUB'].table
# the final forms of these letters, by Amiri's glyph names (with the
# contextual variants, e.g. uni0646.fina_BaaNonFina)
letters = 'نيسصقلبت'
prefixes = tuple('uni%04X.fina' % ord(ch) for ch in letters)
finals = [g for g in font.getGlyphOrder() if g.startswith(prefixes) and '.jalt' not in g]
print(len(finals), 'final forms')
glyf = font['glyf']; hmtx = font['hmtx']
order = font.getGlyphOrder()
mapping = {}
for name in finals:
    new = name + '.jalt'
    g = glyf[name]
    width, lsb = hmtx[name]
    pen = TTGlyphPen(font.getGlyphSet())
    # stretch sideways by half the advance, anchored at the right (the join)
    factor = 1.5
    tp = TransformPen(pen, (factor, 0, 0, 1, -(factor - 1) * width, 0))
    font.getGlyphSet()[name].draw(tp)
    glyf[new] = pen.glyph()
    if new not in order: order.append(new)
    hmtx[new] = (round(width * factor), lsb)
    mapping[name] = new
font.setGlyphOrder(order)
font['maxp'].numGlyphs = len(order)
if 'post' in font and hasattr(font['post'], 'extraNames'): pass
# one single-substitution lookup, under a `jalt` feature in every language system
st = ot.SingleSubst(); st.mapping = mapping; st.Format = 2
lookup = ot.Lookup(); lookup.LookupType = 1; lookup.LookupFlag = 0; lookup.SubTable = [st]; lookup.SubTableCount = 1
gsub.LookupList.Lookup.append(lookup); gsub.LookupList.LookupCount += 1
li = len(gsub.LookupList.Lookup) - 1
feat = ot.Feature(); feat.FeatureParams = None; feat.LookupListIndex = [li]; feat.LookupCount = 1
rec = ot.FeatureRecord(); rec.FeatureTag = 'jalt'; rec.Feature = feat
gsub.FeatureList.FeatureRecord.append(rec); gsub.FeatureList.FeatureCount += 1
fi = len(gsub.FeatureList.FeatureRecord) - 1
for sr in gsub.ScriptList.ScriptRecord:
    systems = [sr.Script.DefaultLangSys] + [l.LangSys for l in sr.Script.LangSysRecord]
    for ls in systems:
        if ls is None: continue
        ls.FeatureIndex.append(fi); ls.FeatureCount = len(ls.FeatureIndex)
# feature records must be sorted by tag: sort and remap indices
recs = gsub.FeatureList.FeatureRecord
order_idx = sorted(range(len(recs)), key=lambda i: recs[i].FeatureTag)
remap = {old: new for new, old in enumerate(order_idx)}
gsub.FeatureList.FeatureRecord = [recs[i] for i in order_idx]
for sr in gsub.ScriptList.ScriptRecord:
    for ls in [sr.Script.DefaultLangSys] + [l.LangSys for l in sr.Script.LangSysRecord]:
        if ls is None: continue
        ls.FeatureIndex = sorted(remap[i] for i in ls.FeatureIndex)
# a family name of its own
for rec in font['name'].names:
    if rec.nameID in (1, 4, 6, 16):
        rec.string = {1: 'Jalt Test', 4: 'Jalt Test Regular', 6: 'JaltTest-Regular', 16: 'Jalt Test'}[rec.nameID]
font.save(out)
print(mapping)
