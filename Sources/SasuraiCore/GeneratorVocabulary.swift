/// The word lists `ScenarioGenerator` draws from: real rural municipalities, Japanese personal
/// names, seasonal labor and lodging names.
///
/// Kept apart from the generator so that the data can grow without touching the algorithm.
/// Changing any list changes every generated scenario, so tests pin properties, not contents.
enum GeneratorVocabulary {
    /// What a municipality's climate and geography allow: no snow clearing in Okinawa.
    struct Climate: OptionSet, Hashable, Sendable {
        let rawValue: UInt8

        static let snowy = Climate(rawValue: 1)
        static let coastal = Climate(rawValue: 2)
        static let warm = Climate(rawValue: 4)
    }

    /// A real municipality that hosts (or could host) stay-and-work visitors.
    struct Municipality: Hashable, Sendable {
        let name: String
        let prefecture: String
        let climate: Climate
    }

    /// A month and day, for seasons that recur every year.
    struct MonthDay: Hashable, Sendable {
        let month: Int
        let day: Int

        init(_ month: Int, _ day: Int) {
            self.month = month
            self.day = day
        }

        /// True when `self` falls on or before `other` within one calendar year.
        func isOnOrBefore(_ other: MonthDay) -> Bool {
            (month, day) <= (other.month, other.day)
        }
    }

    /// A yearly season `[from, to)`; a `to` on or before `from` ends in the following year.
    struct Season: Hashable, Sendable {
        let from: MonthDay
        let to: MonthDay

        init(_ from: MonthDay, _ to: MonthDay) {
            self.from = from
            self.to = to
        }

        /// The season's occurrence that starts in `year`.
        func occurrence(startingIn year: Int) -> DayRange {
            let first = Day(year: year, month: from.month, day: from.day)!
            let endYear = to.isOnOrBefore(from) ? year + 1 : year
            return DayRange(from: first, to: Day(year: endYear, month: to.month, day: to.day)!)
        }
    }

    /// A kind of seasonal work a town may ask visitors to help with.
    struct SeasonalWork: Hashable, Sendable {
        let title: String
        let season: Season
        /// Skill sets a host may ask for; one is drawn per town.
        let skillChoices: [[String]]
        let minimumDays: ClosedRange<Int>
        /// The town must have all of these.
        let requires: Climate
        /// The town must have none of these.
        let excludes: Climate

        init(_ title: String, _ season: Season, skills skillChoices: [[String]], minimumDays: ClosedRange<Int>,
             requires: Climate = [], excludes: Climate = []) {
            self.title = title
            self.season = season
            self.skillChoices = skillChoices
            self.minimumDays = minimumDays
            self.requires = requires
            self.excludes = excludes
        }

        func suits(_ climate: Climate) -> Bool {
            climate.isSuperset(of: requires) && climate.isDisjoint(with: excludes)
        }
    }

    /// A yearly open season of a lodging, for the climates it makes sense in.
    struct OpenSeason: Hashable, Sendable {
        let season: Season
        let requires: Climate
        let kinds: [AccommodationKind]
    }

    /// Every skill a freelancer or slot may name.
    static let skills: [String] = [
        "carpentry", "childcare", "cooking", "design", "driving", "english", "farming", "photography",
        "programming", "snow-removal", "video", "web-design", "writing",
    ]

    /// The skills freelancers bring from their remote work.
    static let remoteSkills: [String] = [
        "design", "english", "photography", "programming", "video", "web-design", "writing",
    ]

    /// Hands-on skills and how often (per cent) a freelancer has each.
    static let practicalSkills: [(skill: String, percent: Int)] = [
        ("driving", 55), ("cooking", 30), ("farming", 25), ("childcare", 12), ("snow-removal", 10),
        ("carpentry", 8),
    ]

    static let municipalities: [Municipality] = {
        // One "name prefecture climate" line each: a string table type-checks instantly,
        // where a literal array of a hundred structs slows every build.
        // Climate letters: s snowy, c coastal, w warm.
        let table = """
            東川町 北海道 s
            下川町 北海道 s
            ニセコ町 北海道 s
            美瑛町 北海道 s
            厚沢部町 北海道 s
            上士幌町 北海道 s
            浦河町 北海道 sc
            深浦町 青森県 sc
            風間浦村 青森県 sc
            遠野市 岩手県 s
            西和賀町 岩手県 s
            葛巻町 岩手県 s
            住田町 岩手県 s
            丸森町 宮城県 -
            南三陸町 宮城県 c
            七ヶ宿町 宮城県 s
            五城目町 秋田県 s
            男鹿市 秋田県 sc
            仙北市 秋田県 s
            上小阿仁村 秋田県 s
            西川町 山形県 s
            小国町 山形県 s
            鶴岡市 山形県 sc
            飯豊町 山形県 s
            南会津町 福島県 s
            只見町 福島県 s
            三島町 福島県 s
            西会津町 福島県 s
            磐梯町 福島県 s
            大子町 茨城県 -
            常陸太田市 茨城県 -
            那須町 栃木県 -
            茂木町 栃木県 -
            みなかみ町 群馬県 s
            中之条町 群馬県 -
            南牧村 群馬県 -
            川場村 群馬県 s
            小鹿野町 埼玉県 -
            ときがわ町 埼玉県 -
            いすみ市 千葉県 c
            南房総市 千葉県 cw
            鋸南町 千葉県 c
            檜原村 東京都 -
            山北町 神奈川県 -
            十日町市 新潟県 s
            津南町 新潟県 s
            佐渡市 新潟県 sc
            粟島浦村 新潟県 c
            魚沼市 新潟県 s
            南砺市 富山県 s
            朝日町 富山県 sc
            上市町 富山県 s
            能登町 石川県 sc
            珠洲市 石川県 sc
            輪島市 石川県 sc
            穴水町 石川県 sc
            池田町 福井県 s
            若狭町 福井県 c
            大野市 福井県 s
            北杜市 山梨県 -
            小菅村 山梨県 -
            早川町 山梨県 -
            身延町 山梨県 -
            小布施町 長野県 s
            白馬村 長野県 s
            阿智村 長野県 -
            栄村 長野県 s
            大鹿村 長野県 -
            小谷村 長野県 s
            信濃町 長野県 s
            下條村 長野県 -
            白川村 岐阜県 s
            郡上市 岐阜県 s
            飛騨市 岐阜県 s
            東白川村 岐阜県 -
            松崎町 静岡県 cw
            川根本町 静岡県 -
            西伊豆町 静岡県 cw
            南伊豆町 静岡県 cw
            東栄町 愛知県 -
            設楽町 愛知県 -
            豊根村 愛知県 -
            尾鷲市 三重県 cw
            大紀町 三重県 c
            熊野市 三重県 cw
            高島市 滋賀県 s
            日野町 滋賀県 -
            南丹市 京都府 s
            伊根町 京都府 c
            和束町 京都府 -
            笠置町 京都府 -
            千早赤阪村 大阪府 -
            能勢町 大阪府 -
            香美町 兵庫県 sc
            佐用町 兵庫県 -
            神河町 兵庫県 -
            丹波篠山市 兵庫県 -
            十津川村 奈良県 -
            下北山村 奈良県 -
            東吉野村 奈良県 -
            曽爾村 奈良県 -
            那智勝浦町 和歌山県 cw
            北山村 和歌山県 w
            高野町 和歌山県 -
            古座川町 和歌山県 w
            智頭町 鳥取県 s
            八頭町 鳥取県 s
            大山町 鳥取県 sc
            日南町 鳥取県 s
            海士町 島根県 c
            津和野町 島根県 -
            邑南町 島根県 s
            隠岐の島町 島根県 c
            美郷町 島根県 -
            和気町 岡山県 -
            西粟倉村 岡山県 s
            真庭市 岡山県 s
            美作市 岡山県 -
            新庄村 岡山県 s
            神石高原町 広島県 -
            大崎上島町 広島県 cw
            安芸太田町 広島県 s
            周防大島町 山口県 cw
            阿武町 山口県 c
            上関町 山口県 cw
            神山町 徳島県 -
            上勝町 徳島県 -
            美波町 徳島県 cw
            那賀町 徳島県 -
            小豆島町 香川県 cw
            土庄町 香川県 cw
            直島町 香川県 cw
            内子町 愛媛県 -
            久万高原町 愛媛県 s
            上島町 愛媛県 cw
            梼原町 高知県 -
            馬路村 高知県 w
            四万十町 高知県 w
            大豊町 高知県 -
            土佐町 高知県 -
            東峰村 福岡県 -
            添田町 福岡県 -
            八女市 福岡県 -
            有田町 佐賀県 -
            嬉野市 佐賀県 -
            太良町 佐賀県 c
            五島市 長崎県 cw
            小値賀町 長崎県 cw
            新上五島町 長崎県 cw
            対馬市 長崎県 c
            南小国町 熊本県 -
            小国町 熊本県 -
            山都町 熊本県 -
            五木村 熊本県 -
            水上村 熊本県 -
            竹田市 大分県 -
            国東市 大分県 c
            豊後高田市 大分県 c
            九重町 大分県 -
            椎葉村 宮崎県 -
            高千穂町 宮崎県 -
            日南市 宮崎県 cw
            西米良村 宮崎県 w
            綾町 宮崎県 w
            奄美市 鹿児島県 cw
            屋久島町 鹿児島県 cw
            南さつま市 鹿児島県 cw
            瀬戸内町 鹿児島県 cw
            長島町 鹿児島県 cw
            国頭村 沖縄県 cw
            大宜味村 沖縄県 cw
            竹富町 沖縄県 cw
            伊江村 沖縄県 cw
            """
        return table.split(separator: "\n").map { line in
            let fields = line.split(separator: " ")
            var climate: Climate = []
            for letter in fields[2] {
                switch letter {
                case "s": climate.insert(.snowy)
                case "c": climate.insert(.coastal)
                case "w": climate.insert(.warm)
                default: break
                }
            }
            return Municipality(name: String(fields[0]), prefecture: String(fields[1]), climate: climate)
        }
    }()

    /// Districts that tell apart the host areas of one municipality once the real names run out.
    static let districts: [String] = [
        "東部", "西部", "南部", "北部", "中央", "上郷", "下郷", "本郷", "新田", "川上", "山田", "大野",
        "中村", "原", "谷口", "宮下", "久保", "平野", "高原", "沢田", "大平", "清水", "桜木", "松原",
        "竹野", "梅津", "杉谷", "若葉", "旭", "緑ヶ丘",
    ]

    static let familyNames: [String] = [
        "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤", "吉田", "山田",
        "佐々木", "山口", "松本", "井上", "木村", "林", "斎藤", "清水", "山崎", "森", "池田", "橋本",
        "阿部", "石川", "山下", "中島", "石井", "小川", "前田", "岡田", "長谷川", "藤田", "後藤", "近藤",
        "村上", "遠藤", "青木", "坂本", "福田", "太田", "西村", "藤井", "金子", "岡本", "藤原", "中野",
        "三浦", "原田", "松田", "竹内", "上田", "青山", "大野", "杉山", "千葉", "菅原", "桜井", "秋好",
    ]

    static let givenNames: [String] = [
        "翔太", "大輔", "健太", "拓也", "直樹", "陽介", "亮", "誠", "悠斗", "蓮", "颯太", "大翔", "湊",
        "樹", "陽翔", "海斗", "隼人", "達也", "和也", "浩二", "美咲", "陽菜", "結衣", "さくら", "葵", "凛",
        "花子", "愛", "彩", "真由美", "恵", "千尋", "由佳", "舞", "瞳", "奈々", "麻衣", "香織", "優子",
        "里美", "美穂", "明日香", "芽衣", "紗希", "遥", "菜摘", "ひかり", "楓", "光", "薫",
    ]

    /// Soft words lodgings in the countryside like to be called.
    static let lodgingWords: [String] = [
        "ひだまり", "こもれび", "やまびこ", "ほたる", "つばめ", "いろり", "結", "縁側", "あおぞら",
        "さとやま", "ゆずりは", "かざぐるま", "みのり", "はるかぜ", "しずく", "あかり", "くるみ", "なごみ",
        "わらべ", "たんぽぽ",
    ]

    // Windows follow the real calendar of rural Japan: rice planted in May, harvested in
    // September, persimmons dried in late autumn, snow cleared through the winter.
    static let seasonalWork: [SeasonalWork] = [
        SeasonalWork("田植え", Season(MonthDay(5, 1), MonthDay(6, 16)),
                     skills: [[], ["farming"]], minimumDays: 3...7),
        SeasonalWork("稲刈り", Season(MonthDay(9, 1), MonthDay(11, 1)),
                     skills: [[], ["farming"], ["driving", "farming"]], minimumDays: 5...10),
        SeasonalWork("干し柿づくり", Season(MonthDay(10, 15), MonthDay(12, 1)),
                     skills: [[], ["cooking"]], minimumDays: 5...7, excludes: .warm),
        SeasonalWork("雪かき", Season(MonthDay(12, 1), MonthDay(3, 1)),
                     skills: [["snow-removal"], ["driving", "snow-removal"], []], minimumDays: 7...14,
                     requires: .snowy),
        SeasonalWork("スキー場の運営", Season(MonthDay(12, 15), MonthDay(3, 25)),
                     skills: [[], ["english"]], minimumDays: 10...21, requires: .snowy),
        SeasonalWork("夏祭りの運営", Season(MonthDay(7, 15), MonthDay(9, 1)),
                     skills: [[], ["english"], ["photography"]], minimumDays: 3...5),
        SeasonalWork("旅館の繁忙期（ゴールデンウィーク）", Season(MonthDay(4, 25), MonthDay(5, 8)),
                     skills: [[], ["cooking"]], minimumDays: 3...5),
        SeasonalWork("旅館の繁忙期（お盆）", Season(MonthDay(8, 1), MonthDay(8, 25)),
                     skills: [[], ["cooking"], ["english"]], minimumDays: 3...7),
        SeasonalWork("旅館の繁忙期（紅葉）", Season(MonthDay(10, 20), MonthDay(12, 1)),
                     skills: [[], ["english"]], minimumDays: 5...10),
        SeasonalWork("旅館の繁忙期（年末年始）", Season(MonthDay(12, 26), MonthDay(1, 8)),
                     skills: [[], ["cooking"]], minimumDays: 3...5),
        SeasonalWork("茶摘み", Season(MonthDay(4, 20), MonthDay(6, 1)),
                     skills: [[], ["farming"]], minimumDays: 5...7, excludes: .snowy),
        SeasonalWork("梅の収穫", Season(MonthDay(6, 1), MonthDay(7, 10)),
                     skills: [[], ["farming"]], minimumDays: 5...7, excludes: .snowy),
        SeasonalWork("りんごの収穫", Season(MonthDay(9, 20), MonthDay(11, 25)),
                     skills: [[], ["farming"], ["driving"]], minimumDays: 7...10, requires: .snowy),
        SeasonalWork("みかんの収穫", Season(MonthDay(11, 1), MonthDay(1, 10)),
                     skills: [[], ["farming"], ["driving"]], minimumDays: 7...10, requires: .warm),
        SeasonalWork("牡蠣の養殖作業", Season(MonthDay(11, 1), MonthDay(4, 1)),
                     skills: [[], ["driving"]], minimumDays: 7...14, requires: .coastal),
        SeasonalWork("漁港の手伝い", Season(MonthDay(4, 1), MonthDay(11, 1)),
                     skills: [[], ["driving"]], minimumDays: 5...10, requires: .coastal),
        SeasonalWork("海の家の運営", Season(MonthDay(7, 10), MonthDay(9, 1)),
                     skills: [["cooking"], []], minimumDays: 5...10, requires: .coastal),
        SeasonalWork("草刈り・里山保全", Season(MonthDay(6, 1), MonthDay(10, 1)),
                     skills: [[], ["driving"]], minimumDays: 3...7),
        SeasonalWork("古民家の改修", Season(MonthDay(4, 1), MonthDay(12, 1)),
                     skills: [["carpentry"], ["carpentry", "driving"]], minimumDays: 7...14),
        SeasonalWork("夏休みの学童保育", Season(MonthDay(7, 20), MonthDay(9, 1)),
                     skills: [["childcare"], ["childcare", "english"]], minimumDays: 7...14),
        SeasonalWork("桜まつりの運営", Season(MonthDay(3, 25), MonthDay(4, 20)),
                     skills: [[]], minimumDays: 3...5),
        SeasonalWork("藤まつりの運営", Season(MonthDay(4, 20), MonthDay(5, 10)),
                     skills: [[], ["photography"]], minimumDays: 3...5, excludes: .snowy),
        SeasonalWork("観光案内所の多言語対応", Season(MonthDay(3, 20), MonthDay(12, 1)),
                     skills: [["english"]], minimumDays: 7...14),
        // Digital work follows the fiscal year (April to March), as municipal budgets do.
        SeasonalWork("移住促進サイトの制作", Season(MonthDay(4, 1), MonthDay(4, 1)),
                     skills: [["web-design"], ["web-design", "writing"], ["design", "web-design"],
                              ["programming", "web-design"]], minimumDays: 7...14),
        SeasonalWork("町の魅力発信の動画制作", Season(MonthDay(6, 1), MonthDay(12, 1)),
                     skills: [["video"], ["photography", "video"]], minimumDays: 7...14),
        SeasonalWork("農産物直売所のEC支援", Season(MonthDay(4, 1), MonthDay(4, 1)),
                     skills: [["programming"], ["web-design"], ["photography", "writing"]], minimumDays: 7...14),
        SeasonalWork("ふるさと納税の返礼品PR", Season(MonthDay(9, 1), MonthDay(1, 1)),
                     skills: [["writing"], ["design"], ["photography", "writing"]], minimumDays: 5...10),
    ]

    // Gaps between consecutive occurrences keep open ranges apart, so that a stay crossing
    // a season boundary is plainly closed rather than depending on how ranges are joined.
    static let openSeasons: [OpenSeason] = [
        OpenSeason(season: Season(MonthDay(3, 1), MonthDay(12, 28)), requires: [],
                   kinds: AccommodationKind.allCases),
        OpenSeason(season: Season(MonthDay(4, 1), MonthDay(11, 1)), requires: [],
                   kinds: [.vacantHouse, .homestay, .sharedHouse]),
        OpenSeason(season: Season(MonthDay(4, 20), MonthDay(11, 20)), requires: .snowy,
                   kinds: [.vacantHouse, .homestay, .sharedHouse, .coworkingStay]),
        OpenSeason(season: Season(MonthDay(12, 10), MonthDay(4, 5)), requires: .snowy,
                   kinds: [.guesthouse]),
        OpenSeason(season: Season(MonthDay(6, 20), MonthDay(10, 1)), requires: .coastal,
                   kinds: [.guesthouse, .sharedHouse]),
    ]
}
