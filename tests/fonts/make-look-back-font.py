"""A test fixture, not a font to set books in: Amiri Regular cut down to a
few letters, with one more kerning lookup that looks back over a space past
the word before it. It moves a kaf after «ب» + a space, with an alef or a
space in between («من باك»: kaf, alef, beh, space, looking back): the word
before the space does not matter, only that there is one.

    pyftsubset ../../fonts/Amiri-Regular.ttf --unicodes="U+0020,U+0627,U+0628,U+062A,U+0643,U+0645,U+0646,U+0647" \
        --layout-features='*' --glyph-names --output-file=cut.ttf
    python3 make-look-back-font.py cut.ttf LookBackTest-Regular.ttf
"""
import sys
from fontTools.ttLib import TTFont
from fontTools.ttLib.tables import otTables as ot

src, out = sys.argv[1], sys.argv[2]
font = TTFont(src)
order = font.getGlyphOrder()
gpos = font['GPOS'].table
lookups = gpos.LookupList.Lookup


def coverage(glyphs):
    c = ot.Coverage()
    c.glyphs = sorted(set(glyphs), key=order.index)
    return c


def named(code):
    # Amiri names a letter's forms both ways: uni0643.init, aKaf.init.
    prefixes = {'0627': 'aAlf', '0628': 'aBaa', '0643': 'aKaf'}
    return [g for g in order
            if g.split('.')[0] in ('uni' + code, prefixes[code])]


kafs = named('0643')
alefs = named('0627')
behs = named('0628')
# Moves the kaf 300 units: plain to see, and to compare.
move = ot.SinglePos()
move.Format = 1
move.Coverage = coverage(kafs)
move.ValueFormat = 1
move.Value = ot.ValueRecord()
move.Value.XPlacement = 300
single = ot.Lookup()
single.LookupType, single.LookupFlag, single.SubTable, single.SubTableCount = 1, 0, [move], 1
lookups.append(single)
single_index = len(lookups) - 1
# Backtrack, nearest first: a space or an alef, a beh, a space.
chain = ot.ChainContextPos()
chain.Format = 3
chain.BacktrackCoverage = [coverage(['space'] + alefs), coverage(behs), coverage(['space'])]
chain.BacktrackGlyphCount = 3
chain.InputCoverage = [coverage(kafs)]
chain.InputGlyphCount = 1
chain.LookAheadCoverage = []
chain.LookAheadGlyphCount = 0
record = ot.PosLookupRecord()
record.SequenceIndex, record.LookupListIndex = 0, single_index
chain.PosLookupRecord = [record]
chain.PosCount = 1
lookup = ot.Lookup()
lookup.LookupType, lookup.LookupFlag, lookup.SubTable, lookup.SubTableCount = 8, 0, [chain], 1
lookups.append(lookup)
gpos.LookupList.LookupCount = len(lookups)
for record in gpos.FeatureList.FeatureRecord:
    if record.FeatureTag == 'kern':
        record.Feature.LookupListIndex.append(len(lookups) - 1)
        record.Feature.LookupCount = len(record.Feature.LookupListIndex)
# A family name of its own, as the licence asks of modified versions.
for rec in font['name'].names:
    if rec.nameID in (1, 4, 6, 16):
        rec.string = {1: 'Look Back Test', 4: 'Look Back Test Regular',
                      6: 'LookBackTest-Regular', 16: 'Look Back Test'}[rec.nameID]
font.save(out)
