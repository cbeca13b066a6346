import Testing
@testable import SasuraiCommandLine

/// Terminal widths: wide characters take two columns, so Japanese names line up.
@Suite struct TextTableTests {
    @Test func wideCharactersCountTwoColumns() {
        #expect(DisplayWidth.of("南砺市") == 6)
        #expect(DisplayWidth.of("nanto") == 5)
        #expect(DisplayWidth.of("ｶﾀｶﾅ") == 4)
    }

    @Test func columnsAlignByDisplayWidth() {
        var table = TextTable(headers: ["town", "beds"], rightAligned: [1])
        table.append(["南砺市", "12"])
        table.append(["wake", "3"])
        #expect(table.render() == "town    beds\n南砺市    12\nwake       3\n")
    }

    @Test func yenHasSeparators() {
        #expect(NumberFormat.yen(1234567) == "¥1,234,567")
        #expect(NumberFormat.grouped(-1000) == "-1,000")
    }
}
