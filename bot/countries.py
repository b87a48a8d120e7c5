"""Countries: ISO 3166-1 codes, CLDR names, and forgiving resolution of typed country names.

Supporters and organisations state a country; the bot stores ISO 3166-1 alpha-2. This module
turns what people type (in any interface language) and what data sets say (English Wikidata
labels such as "People's Republic of China" or "Kingdom of the Netherlands") into that code.

Choices a reader should know:

* ``COUNTRY_CODES`` are the 249 officially assigned ISO 3166-1 alpha-2 codes plus ``XK``
  (Kosovo: a user-assigned code that CLDR, Telegram and most software use). CLDR's region
  codes ("001", "150"), groupings ("EU", "EZ", "UN"), "QO", "ZZ", pseudo-locales ("XA",
  "XB") and the exceptionally reserved codes ("AC", "CP", "CQ", "DG", "EA", "IC", "TA")
  are not countries here. Dependent territories with their own code (HK, MO, PR, GL, ...)
  are their own code, not their sovereign's.
* Names come from CLDR (via Babel) in every ``SUPPORTED_LOCALES`` language, from the ISO
  3166-1 English short and official names (embedded below), and from hand-written alias
  tables: abbreviations ("USA", "UK", "UAE", "США", "EE. UU."), common and former names
  ("Holland", "Burma", "Swaziland", "Turkey", "Ivory Coast", "Kazakstan") and the English
  Wikidata labels of the database of embassies.
* England, Scotland, Wales and Northern Ireland resolve to GB, Holland to NL, America to US.
* Sub-national labels found in the embassy data (Chinese provinces including Tibet, Brazilian
  and US states, German Länder, Spanish autonomous communities, Indonesian provinces, Russian
  regions, Quebec, Scotland, ...) and "Government of X" / "Ministry of Foreign Affairs of X"
  resolve to the country they belong to (ISO 3166-2). They are not offered by the picker
  search, and this is not a gazetteer: other provinces are unknown.
* Self-declared states without an ISO 3166-1 code (Abkhazia, South Ossetia, Transnistria,
  Northern Cyprus, Somaliland, Artsakh) and the Central Tibetan Administration deliberately
  resolve to ``None``: mapping them to the state they broke away from would, for instance,
  turn Abkhazia's embassy in Moscow into a Georgian one. The Sahrawi Arab Democratic
  Republic resolves to EH (the code of Western Sahara, the territory it claims), the State
  of Palestine to PS, Taiwan / Republic of China to TW, the Holy See to VA.
* Names that denote several countries ("Congo", "Korea", "Virgin Islands", Chinese "刚果")
  are ambiguous: ``resolve_country`` returns ``None`` unless the caller's own locale names
  exactly one country so (Spanish "Congo" is the Republic of the Congo in CLDR).
* Matching folds case, accents and diacritics, apostrophes, dots, punctuation and spaces
  ("Côte d’Ivoire" == "cote divoire"), "&" to "and", "St"/"Ste" to "Saint"/"Sainte", drops
  "the", folds Kazakh and Ukrainian letters to their Russian look-alikes (people type with
  Russian keyboards) and normalises Arabic alef/teh marbuta/alef maksura.

Tables are built lazily on first use (about a tenth of a second) and cached; afterwards
resolving takes microseconds and a picker search about a millisecond.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

from babel import Locale, UnknownLocaleError

from bot.locales import SOURCE_LOCALE, SUPPORTED_LOCALES

__all__ = ["COUNTRY_CODES", "country_name", "flag", "resolve_country", "search_countries"]

_COUNTRY_CODES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW
"""
#: ISO 3166-1 alpha-2 (all 249 officially assigned codes) plus XK, sorted.
COUNTRY_CODES: tuple[str, ...] = tuple(_COUNTRY_CODES.split())

# ISO 3166-1 (Debian iso-codes 4.15): "alpha-2 alpha-3 short names[ ; official names]".
# Short names are offered by the picker search; official names are only resolved.
# Taiwan's ISO name "Taiwan, Province of China" is left out on purpose.
_ISO_3166 = """
AD AND Andorra ; Principality of Andorra
AE ARE United Arab Emirates
AF AFG Afghanistan ; Islamic Republic of Afghanistan
AG ATG Antigua and Barbuda
AI AIA Anguilla
AL ALB Albania ; Republic of Albania
AM ARM Armenia ; Republic of Armenia
AO AGO Angola ; Republic of Angola
AQ ATA Antarctica
AR ARG Argentina ; Argentine Republic
AS ASM American Samoa
AT AUT Austria ; Republic of Austria
AU AUS Australia
AW ABW Aruba
AX ALA Åland Islands
AZ AZE Azerbaijan ; Republic of Azerbaijan
BA BIH Bosnia and Herzegovina ; Republic of Bosnia and Herzegovina
BB BRB Barbados
BD BGD Bangladesh ; People's Republic of Bangladesh
BE BEL Belgium ; Kingdom of Belgium
BF BFA Burkina Faso
BG BGR Bulgaria ; Republic of Bulgaria
BH BHR Bahrain ; Kingdom of Bahrain
BI BDI Burundi ; Republic of Burundi
BJ BEN Benin ; Republic of Benin
BL BLM Saint Barthélemy
BM BMU Bermuda
BN BRN Brunei Darussalam
BO BOL Bolivia, Plurinational State of|Bolivia ; Plurinational State of Bolivia
BQ BES Bonaire, Sint Eustatius and Saba
BR BRA Brazil ; Federative Republic of Brazil
BS BHS Bahamas ; Commonwealth of the Bahamas
BT BTN Bhutan ; Kingdom of Bhutan
BV BVT Bouvet Island
BW BWA Botswana ; Republic of Botswana
BY BLR Belarus ; Republic of Belarus
BZ BLZ Belize
CA CAN Canada
CC CCK Cocos (Keeling) Islands
CD COD Congo, The Democratic Republic of the
CF CAF Central African Republic
CG COG Congo ; Republic of the Congo
CH CHE Switzerland ; Swiss Confederation
CI CIV Côte d'Ivoire ; Republic of Côte d'Ivoire
CK COK Cook Islands
CL CHL Chile ; Republic of Chile
CM CMR Cameroon ; Republic of Cameroon
CN CHN China ; People's Republic of China
CO COL Colombia ; Republic of Colombia
CR CRI Costa Rica ; Republic of Costa Rica
CU CUB Cuba ; Republic of Cuba
CV CPV Cabo Verde ; Republic of Cabo Verde
CW CUW Curaçao
CX CXR Christmas Island
CY CYP Cyprus ; Republic of Cyprus
CZ CZE Czechia ; Czech Republic
DE DEU Germany ; Federal Republic of Germany
DJ DJI Djibouti ; Republic of Djibouti
DK DNK Denmark ; Kingdom of Denmark
DM DMA Dominica ; Commonwealth of Dominica
DO DOM Dominican Republic
DZ DZA Algeria ; People's Democratic Republic of Algeria
EC ECU Ecuador ; Republic of Ecuador
EE EST Estonia ; Republic of Estonia
EG EGY Egypt ; Arab Republic of Egypt
EH ESH Western Sahara
ER ERI Eritrea ; State of Eritrea
ES ESP Spain ; Kingdom of Spain
ET ETH Ethiopia ; Federal Democratic Republic of Ethiopia
FI FIN Finland ; Republic of Finland
FJ FJI Fiji ; Republic of Fiji
FK FLK Falkland Islands (Malvinas)
FM FSM Micronesia, Federated States of ; Federated States of Micronesia
FO FRO Faroe Islands
FR FRA France ; French Republic
GA GAB Gabon ; Gabonese Republic
GB GBR United Kingdom ; United Kingdom of Great Britain and Northern Ireland
GD GRD Grenada
GE GEO Georgia
GF GUF French Guiana
GG GGY Guernsey
GH GHA Ghana ; Republic of Ghana
GI GIB Gibraltar
GL GRL Greenland
GM GMB Gambia ; Republic of the Gambia
GN GIN Guinea ; Republic of Guinea
GP GLP Guadeloupe
GQ GNQ Equatorial Guinea ; Republic of Equatorial Guinea
GR GRC Greece ; Hellenic Republic
GS SGS South Georgia and the South Sandwich Islands
GT GTM Guatemala ; Republic of Guatemala
GU GUM Guam
GW GNB Guinea-Bissau ; Republic of Guinea-Bissau
GY GUY Guyana ; Republic of Guyana
HK HKG Hong Kong ; Hong Kong Special Administrative Region of China
HM HMD Heard Island and McDonald Islands
HN HND Honduras ; Republic of Honduras
HR HRV Croatia ; Republic of Croatia
HT HTI Haiti ; Republic of Haiti
HU HUN Hungary
ID IDN Indonesia ; Republic of Indonesia
IE IRL Ireland
IL ISR Israel ; State of Israel
IM IMN Isle of Man
IN IND India ; Republic of India
IO IOT British Indian Ocean Territory
IQ IRQ Iraq ; Republic of Iraq
IR IRN Iran, Islamic Republic of|Iran ; Islamic Republic of Iran
IS ISL Iceland ; Republic of Iceland
IT ITA Italy ; Italian Republic
JE JEY Jersey
JM JAM Jamaica
JO JOR Jordan ; Hashemite Kingdom of Jordan
JP JPN Japan
KE KEN Kenya ; Republic of Kenya
KG KGZ Kyrgyzstan ; Kyrgyz Republic
KH KHM Cambodia ; Kingdom of Cambodia
KI KIR Kiribati ; Republic of Kiribati
KM COM Comoros ; Union of the Comoros
KN KNA Saint Kitts and Nevis
KP PRK Korea, Democratic People's Republic of|North Korea ; Democratic People's Republic of Korea
KR KOR Korea, Republic of|South Korea
KW KWT Kuwait ; State of Kuwait
KY CYM Cayman Islands
KZ KAZ Kazakhstan ; Republic of Kazakhstan
LA LAO Lao People's Democratic Republic|Laos
LB LBN Lebanon ; Lebanese Republic
LC LCA Saint Lucia
LI LIE Liechtenstein ; Principality of Liechtenstein
LK LKA Sri Lanka ; Democratic Socialist Republic of Sri Lanka
LR LBR Liberia ; Republic of Liberia
LS LSO Lesotho ; Kingdom of Lesotho
LT LTU Lithuania ; Republic of Lithuania
LU LUX Luxembourg ; Grand Duchy of Luxembourg
LV LVA Latvia ; Republic of Latvia
LY LBY Libya
MA MAR Morocco ; Kingdom of Morocco
MC MCO Monaco ; Principality of Monaco
MD MDA Moldova, Republic of|Moldova ; Republic of Moldova
ME MNE Montenegro
MF MAF Saint Martin (French part)
MG MDG Madagascar ; Republic of Madagascar
MH MHL Marshall Islands ; Republic of the Marshall Islands
MK MKD North Macedonia ; Republic of North Macedonia
ML MLI Mali ; Republic of Mali
MM MMR Myanmar ; Republic of Myanmar
MN MNG Mongolia
MO MAC Macao ; Macao Special Administrative Region of China
MP MNP Northern Mariana Islands ; Commonwealth of the Northern Mariana Islands
MQ MTQ Martinique
MR MRT Mauritania ; Islamic Republic of Mauritania
MS MSR Montserrat
MT MLT Malta ; Republic of Malta
MU MUS Mauritius ; Republic of Mauritius
MV MDV Maldives ; Republic of Maldives
MW MWI Malawi ; Republic of Malawi
MX MEX Mexico ; United Mexican States
MY MYS Malaysia
MZ MOZ Mozambique ; Republic of Mozambique
NA NAM Namibia ; Republic of Namibia
NC NCL New Caledonia
NE NER Niger ; Republic of the Niger
NF NFK Norfolk Island
NG NGA Nigeria ; Federal Republic of Nigeria
NI NIC Nicaragua ; Republic of Nicaragua
NL NLD Netherlands ; Kingdom of the Netherlands
NO NOR Norway ; Kingdom of Norway
NP NPL Nepal ; Federal Democratic Republic of Nepal
NR NRU Nauru ; Republic of Nauru
NU NIU Niue
NZ NZL New Zealand
OM OMN Oman ; Sultanate of Oman
PA PAN Panama ; Republic of Panama
PE PER Peru ; Republic of Peru
PF PYF French Polynesia
PG PNG Papua New Guinea ; Independent State of Papua New Guinea
PH PHL Philippines ; Republic of the Philippines
PK PAK Pakistan ; Islamic Republic of Pakistan
PL POL Poland ; Republic of Poland
PM SPM Saint Pierre and Miquelon
PN PCN Pitcairn
PR PRI Puerto Rico
PS PSE Palestine, State of ; State of Palestine
PT PRT Portugal ; Portuguese Republic
PW PLW Palau ; Republic of Palau
PY PRY Paraguay ; Republic of Paraguay
QA QAT Qatar ; State of Qatar
RE REU Réunion
RO ROU Romania
RS SRB Serbia ; Republic of Serbia
RU RUS Russian Federation
RW RWA Rwanda ; Rwandese Republic
SA SAU Saudi Arabia ; Kingdom of Saudi Arabia
SB SLB Solomon Islands
SC SYC Seychelles ; Republic of Seychelles
SD SDN Sudan ; Republic of the Sudan
SE SWE Sweden ; Kingdom of Sweden
SG SGP Singapore ; Republic of Singapore
SH SHN Saint Helena, Ascension and Tristan da Cunha
SI SVN Slovenia ; Republic of Slovenia
SJ SJM Svalbard and Jan Mayen
SK SVK Slovakia ; Slovak Republic
SL SLE Sierra Leone ; Republic of Sierra Leone
SM SMR San Marino ; Republic of San Marino
SN SEN Senegal ; Republic of Senegal
SO SOM Somalia ; Federal Republic of Somalia
SR SUR Suriname ; Republic of Suriname
SS SSD South Sudan ; Republic of South Sudan
ST STP Sao Tome and Principe ; Democratic Republic of Sao Tome and Principe
SV SLV El Salvador ; Republic of El Salvador
SX SXM Sint Maarten (Dutch part)
SY SYR Syrian Arab Republic|Syria
SZ SWZ Eswatini ; Kingdom of Eswatini
TC TCA Turks and Caicos Islands
TD TCD Chad ; Republic of Chad
TF ATF French Southern Territories
TG TGO Togo ; Togolese Republic
TH THA Thailand ; Kingdom of Thailand
TJ TJK Tajikistan ; Republic of Tajikistan
TK TKL Tokelau
TL TLS Timor-Leste ; Democratic Republic of Timor-Leste
TM TKM Turkmenistan
TN TUN Tunisia ; Republic of Tunisia
TO TON Tonga ; Kingdom of Tonga
TR TUR Türkiye ; Republic of Türkiye
TT TTO Trinidad and Tobago ; Republic of Trinidad and Tobago
TV TUV Tuvalu
TW TWN Taiwan
TZ TZA Tanzania, United Republic of|Tanzania ; United Republic of Tanzania
UA UKR Ukraine
UG UGA Uganda ; Republic of Uganda
UM UMI United States Minor Outlying Islands
US USA United States ; United States of America
UY URY Uruguay ; Eastern Republic of Uruguay
UZ UZB Uzbekistan ; Republic of Uzbekistan
VA VAT Holy See (Vatican City State)
VC VCT Saint Vincent and the Grenadines
VE VEN Venezuela, Bolivarian Republic of|Venezuela ; Bolivarian Republic of Venezuela
VG VGB Virgin Islands, British ; British Virgin Islands
VI VIR Virgin Islands, U.S. ; Virgin Islands of the United States
VN VNM Viet Nam|Vietnam ; Socialist Republic of Viet Nam
VU VUT Vanuatu ; Republic of Vanuatu
WF WLF Wallis and Futuna
WS WSM Samoa ; Independent State of Samoa
XK XKX Kosovo ; Republic of Kosovo
YE YEM Yemen ; Republic of Yemen
YT MYT Mayotte
ZA ZAF South Africa ; Republic of South Africa
ZM ZMB Zambia ; Republic of Zambia
ZW ZWE Zimbabwe ; Republic of Zimbabwe
"""

# Second alpha-3 spellings in use for Kosovo (EU/IMF "XKX" is the primary above; CLDR "XKK").
_EXTRA_ALPHA3 = {"XKK": "XK"}

# Common names, abbreviations and former names, in the supported languages. Offered by the
# picker search and resolved. "|" separates names.
_ALIASES: dict[str, str] = {
    "AE": "UAE|U.A.E.|Emirates|ОАЭ|ОАЕ|БАӘ|阿联酋|阿聯酋|الإمارات|EAU",
    "AX": "Åland",
    "BA": "Bosnia|Босния",
    "BS": "Bahamas",
    "BY": "Byelorussia|Belorussia|White Russia|Белоруссия|Weißrussland|Bielorrusia",
    "CD": "Democratic Republic of the Congo|DRC|DR Congo|Congo-Kinshasa|Zaire|ДРК|Заир|RDC"
    "|RD Congo|刚果民主共和国",
    "CG": "Republic of the Congo|Congo-Brazzaville|Congo Republic",
    "CI": "Ivory Coast|Берег Слоновой Кости|Берег Слонової Кістки|Costa de Marfil"
    "|Elfenbeinküste|象牙海岸|كوت ديفوار",
    "CN": "PRC|Mainland China|КНР|中华人民共和国|中華人民共和國|中華人民共和国|中国大陆|中國大陸"
    "|جمهورية الصين الشعبية",
    "CZ": "Czech Republic|Чешская Республика|Чехія|República Checa|République tchèque"
    "|Tschechische Republik|捷克共和国",
    "FM": "Micronesia",
    "GB": "UK|U.K.|Great Britain|Britain|England|Scotland|Wales|Northern Ireland|Англия"
    "|Британия|Соединённое Королевство|Англія|Британія|英格兰|英格蘭|大不列颠|イングランド"
    "|Angleterre|Grande-Bretagne|Inglaterra|Gran Bretaña|Großbritannien|بريطانيا|إنجلترا"
    "|انجلترا|بريطانيا العظمى",
    "GM": "Gambia",
    "HK": "Hong Kong|Hongkong|Гонконг|Сянган|香港|ホンコン|هونغ كونغ|هونج كونج",
    "KG": "Kirghizia|Kyrgyz Republic|Киргизия|Kirgistan|Kirghizistan",
    "KP": "DPRK|Северная Корея|КНДР|Північна Корея|Солтүстік Корея|北韩|北韓|朝鮮民主主義人民共和国"
    "|Nordkorea|كوريا الشمالية",
    "KR": "Republic of Korea|ROK|Южная Корея|Республика Корея|Південна Корея|Оңтүстік Корея"
    "|南韩|南韓|大韓民国|Südkorea|كوريا الجنوبية",
    "KZ": "Kazakstan|Kazahstan|Qazaqstan|Казакстан",
    "LA": "Lao PDR",
    "MD": "Moldavia|Молдавия",
    "MK": "Macedonia|Македония|Македонія|Macédoine",
    "MM": "Burma|Бирма|Birmanie|Birmania",
    "MO": "Macau|Macao|Макао|澳门|澳門|マカオ|ماكاو",
    "NL": "Holland|Голландия|Голландія|Hollande|Holanda",
    "PS": "Palestine|State of Palestine|Palestinian Territories|Палестина|Государство Палестина"
    "|Palästina|Palestina|巴勒斯坦|パレスチナ|فلسطين|دولة فلسطين",
    "RU": "Russian Federation|Российская Федерация|РФ|Росія|俄国|俄國|Russland",
    "SA": "KSA|السعودية",
    "SK": "Slovak Republic",
    "ST": "Sao Tome",
    "SZ": "Swaziland|Свазиленд|Свазіленд|Suazilandia|Swasiland",
    "TF": "French Southern and Antarctic Lands",
    "TL": "East Timor|Восточный Тимор|Timor Oriental|Osttimor",
    "TM": "Turkmenia|Туркмения",
    "TR": "Turkey|Турция|Туреччина|Түркия|Turquie|Turquía|Türkei|トルコ|تركيا",
    "TW": "Taiwan|Republic of China|ROC|中华民国|中華民國|臺灣|Тайвань",
    "TZ": "Tanzania",
    "US": "USA|U.S.A.|US|U.S.|United States of America|America|США|Америка"
    "|Соединённые Штаты Америки|Сполучені Штати Америки|АҚШ|美利坚合众国|美利堅合眾國|アメリカ|米国"
    "|Amérique|EE. UU.|EUA|Estados Unidos de América|Amerika|Vereinigte Staaten von Amerika"
    "|أمريكا|الولايات المتحدة الأمريكية",
    "VA": "Vatican|Holy See|Vatican City State|Ватикан|Vaticano|Vatikan|Cité du Vatican|梵蒂冈"
    "|梵蒂岡|バチカン|الفاتيكان",
    "VC": "Saint Vincent|Saint Vincent and the Grenadines",
    "VI": "United States Virgin Islands",
    "VN": "Viet Nam",
    "ZA": "RSA|ЮАР|Südafrika",
}

# Resolved but not offered by the picker search: Wikidata labels seen in the embassy data,
# official long forms not in ISO, sub-national labels, and the places behind CLDR's
# exceptionally reserved codes (see the module docstring).
_LABELS: dict[str, str] = {
    "AU": "Commonwealth of Australia",
    "BQ": "Bonaire|Sint Eustatius|Saba",
    "BR": "Alagoas|Ceará|Espírito Santo|Maranhão|Mato Grosso|Mato Grosso do Sul|Minas Gerais"
    "|Paraíba|Pernambuco|Piauí|Rio de Janeiro|Rio Grande do Norte|São Paulo|Sergipe",
    "CA": "Quebec",
    "CN": "People's Republic of China|Anhui|Beijing|Chongqing|Fujian|Gansu|Guangdong|Guangxi"
    "|Guizhou|Hainan|Hebei|Heilongjiang|Henan|Hubei|Hunan|Inner Mongolia|Jiangsu|Jiangxi|Jilin"
    "|Liaoning|Ningxia|Qinghai|Shaanxi|Shandong|Shanghai|Shanxi|Sichuan|Tianjin|Tibet|Xinjiang"
    "|Yunnan|Zhejiang",
    "DE": "Baden-Württemberg|Bavaria|Hesse|North Rhine-Westphalia|Rhineland-Palatinate|Saarland"
    "|Saxony",
    "DK": "Kingdom of Denmark",
    "EH": "Sahrawi Arab Democratic Republic|SADR",
    "ES": "Aragon|Asturias|Balearic Islands|Basque Country|Canary Islands|Cantabria|Catalonia"
    "|Ceuta|Land of Valencia|Valencian Community|Melilla|Navarre|Region of Murcia",
    "FR": "Clipperton Island",
    "GB": "Northern England|United Kingdom of Great Britain and Northern Ireland",
    "GG": "Sark",
    "ID": "Aceh|Bali|East Java|East Kalimantan|East Nusa Tenggara|Jambi|North Kalimantan"
    "|North Sumatra|Riau|Riau Islands|South Kalimantan|West Nusa Tenggara|West Sumatra",
    "IE": "Republic of Ireland",
    "IN": "North India|South India",
    "IO": "Diego Garcia",
    "NL": "Kingdom of the Netherlands",
    "RU": "Kamchatka Krai|Magadan Oblast|Primorsky Krai",
    "RW": "Republic of Rwanda",
    "SH": "Ascension Island|Tristan da Cunha",
    "US": "Arkansas|Hawaii|New Mexico|Oklahoma|Texas",
}

# Names shared by several countries (listed for the reader and the tests): ambiguous unless
# the caller's locale decides.
_AMBIGUOUS: dict[str, str] = {
    "Congo": "CD CG",
    "Конго": "CD CG",
    "Kongo": "CD CG",
    "الكونغو": "CD CG",
    "Korea": "KP KR",
    "Корея": "KP KR",
    "Corée": "KP KR",
    "Corea": "KP KR",
    "Virgin Islands": "VG VI",
}

# Polities without an ISO 3166-1 code, deliberately unresolved (see the module docstring).
_UNMAPPED = (
    "Abkhazia|Republic of Abkhazia|Абхазия|South Ossetia|Republic of South Ossetia"
    "|Южная Осетия|Transnistria|Transdniestria|Pridnestrovie|Pridnestrovian Moldavian Republic"
    "|Приднестровье|Northern Cyprus|North Cyprus|Turkish Republic of Northern Cyprus|TRNC"
    "|Северный Кипр|Somaliland|Republic of Somaliland|Сомалиленд|Artsakh|Republic of Artsakh"
    "|Nagorno-Karabakh|Nagorno-Karabakh Republic|Арцах|Нагорный Карабах"
    "|Central Tibetan Administration"
)

# Leading words after which the rest of a label is resolved again ("Government of Sweden",
# "Ministry of Foreign Affairs and Cooperation of the Republic of Rwanda", "State of Texas").
_PREFIXES: tuple[tuple[str, ...], ...] = (
    ("government", "of"),
    ("ministry", "of", "foreign", "affairs", "of"),
    ("ministry", "of", "foreign", "affairs", "and", "cooperation", "of"),
    ("republic", "of"),
    ("kingdom", "of"),
    ("state", "of"),
)

# Cyrillic letters people type as their Russian look-alikes, Arabic spelling variants,
# characters dropped without splitting words ("U.S.", "d’Ivoire"), "&" spelt out.
_FOLD = str.maketrans(
    {
        "ә": "а",
        "ғ": "г",
        "қ": "к",
        "ң": "н",
        "ө": "о",
        "ұ": "у",
        "ү": "у",
        "һ": "х",
        "і": "и",
        "є": "е",
        "ґ": "г",
        "ة": "ه",
        "ى": "ي",
        "ـ": None,
        "'": None,
        "’": None,
        "ʼ": None,
        "‘": None,
        "`": None,
        "´": None,
        ".": None,
        "&": " and ",
    }
)
_KANA_VOICING = frozenset("\u3099\u309a")  # dakuten and handakuten are letters, not accents
_WORD = re.compile(r"[^\W_]+")
_WORD_MAP = {"st": "saint", "ste": "sainte"}
_PARENTHESIS = re.compile(r"[(（][^)）]*[)）]")
_REGIONAL_A = 0x1F1E6
_TAG_A = 0xE0061
_BLACK_FLAG = "\U0001f3f4"
_AMBIGUOUS_CODE = ""  # lookup value of a key naming several countries


def _words(text: str) -> list[str]:
    """Fold case, accents and punctuation; the words of ``text`` as they are compared."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(
        ch for ch in decomposed if ch in _KANA_VOICING or not unicodedata.combining(ch)
    )
    return _WORD.findall(unicodedata.normalize("NFC", stripped).translate(_FOLD))


def _key_words(words: Iterable[str]) -> list[str]:
    return [_WORD_MAP.get(word, word) for word in words if word != "the"]


def _key(text: str) -> str:
    return "".join(_key_words(_words(text)))


def _split(names: str) -> list[str]:
    return [name.strip() for name in names.split("|") if name.strip()]


@dataclass(frozen=True, slots=True)
class _Entry:
    """One searchable name of a country: its key and where its later words start in it."""

    code: str
    key: str
    word_starts: tuple[str, ...]
    exact_only: bool = False


def _entry(code: str, name: str, *, exact_only: bool = False) -> _Entry | None:
    words = _key_words(_words(name))
    if not words:
        return None
    starts = tuple("".join(words[i:]) for i in range(1, len(words)))
    return _Entry(code, "".join(words), starts, exact_only)


@dataclass(frozen=True, slots=True)
class _Names:
    """The searchable names of one country, and all their keys in one string (a pre-filter)."""

    entries: tuple[_Entry, ...]
    blob: str


def _by_code(entries: Iterable[_Entry]) -> dict[str, _Names]:
    grouped: defaultdict[str, dict[str, _Entry]] = defaultdict(dict)
    for entry in entries:
        known = grouped[entry.code].get(entry.key)
        if known is None or (known.exact_only and not entry.exact_only):
            grouped[entry.code][entry.key] = entry
    return {
        code: _Names(tuple(by_key.values()), "\0".join(by_key)) for code, by_key in grouped.items()
    }


@dataclass(frozen=True, slots=True)
class _LocaleData:
    """CLDR names in one locale: for display, to resolve first, to search first, to sort."""

    names: Mapping[str, str]
    lookup: Mapping[str, str]
    search: Mapping[str, _Names]
    sort_keys: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class _Tables:
    """Everything resolved or searched regardless of the caller's locale."""

    alpha3: Mapping[str, str]
    lookup: Mapping[str, str]
    unmapped: frozenset[str]
    search: Mapping[str, _Names]


_CODE_SET = frozenset(COUNTRY_CODES)


def _canonical_locale(locale: str) -> str | None:
    try:
        return str(Locale.parse(locale.strip().replace("-", "_")))
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def _collect(lookup: dict[str, set[str]], code: str, name: str) -> None:
    key = _key(name)
    if key:
        lookup[key].add(code)


def _finish(strong: Mapping[str, set[str]], weak: Mapping[str, set[str]]) -> dict[str, str]:
    """Keys naming one country map to it, keys naming several to ``_AMBIGUOUS_CODE``.

    Weak keys (names without their parenthesis) only count where no strong key is."""
    result: dict[str, str] = {}
    for layer in (weak, strong):
        for key, codes in layer.items():
            result[key] = next(iter(codes)) if len(codes) == 1 else _AMBIGUOUS_CODE
    return result


def _cldr_names(locale_id: str) -> dict[str, str]:
    territories = Locale.parse(locale_id).territories
    return {code: territories[code] for code in COUNTRY_CODES if code in territories}


def _without_parenthesis(name: str) -> str | None:
    shorter = _PARENTHESIS.sub(" ", name).strip()
    return shorter if shorter and shorter != name else None


def _collect_cldr(
    strong: dict[str, set[str]], weak: dict[str, set[str]], names: Mapping[str, str]
) -> list[_Entry]:
    """Add CLDR names (and, weakly, the names without their parenthesis); their entries."""
    entries: list[_Entry] = []
    for code, name in names.items():
        _collect(strong, code, name)
        shorter = _without_parenthesis(name)
        if shorter:
            _collect(weak, code, shorter)
        for variant in (name, shorter):
            entry = _entry(code, variant) if variant else None
            if entry:
                entries.append(entry)
    return entries


@lru_cache(maxsize=64)
def _locale_data(locale: str) -> _LocaleData:
    names = _cldr_names(_canonical_locale(locale) or SOURCE_LOCALE)
    strong: defaultdict[str, set[str]] = defaultdict(set)
    weak: defaultdict[str, set[str]] = defaultdict(set)
    entries = _collect_cldr(strong, weak, names)
    sort_keys = {code: _key(name) for code, name in names.items()}
    return _LocaleData(names, _finish(strong, weak), _by_code(entries), sort_keys)


def _parse_iso() -> Iterable[tuple[str, str, list[str], list[str]]]:
    for line in _ISO_3166.strip().splitlines():
        code, alpha3, names = line.split(" ", 2)
        short, _, official = names.partition(" ; ")
        yield code, alpha3, _split(short), _split(official)


@cache
def _tables() -> _Tables:
    strong: defaultdict[str, set[str]] = defaultdict(set)
    weak: defaultdict[str, set[str]] = defaultdict(set)
    entries: list[_Entry] = []

    def add(code: str, name: str, *, searchable: bool = True) -> None:
        _collect(strong, code, name)
        entry = _entry(code, name) if searchable else None
        if entry:
            entries.append(entry)

    alpha3 = dict(_EXTRA_ALPHA3)
    for code, three, short, official in _parse_iso():
        alpha3[three] = code
        for exact in (code, three):
            entries.append(_Entry(code, exact.casefold(), (), exact_only=True))
        for name in short:
            add(code, name)
        for name in official:
            add(code, name, searchable=False)
    for locale in SUPPORTED_LOCALES:
        entries += _collect_cldr(strong, weak, _locale_data(locale).names)
    for code, names in _ALIASES.items():
        for name in _split(names):
            add(code, name)
    # Sub-national and Wikidata labels never override a real country name.
    labels: defaultdict[str, set[str]] = defaultdict(set)
    for code, names in _LABELS.items():
        for name in _split(names):
            _collect(labels, code, name)
    for key, codes in labels.items():
        if key not in strong:
            weak[key] |= codes
    lookup = _finish(strong, weak)
    for name in _AMBIGUOUS:
        lookup[_key(name)] = _AMBIGUOUS_CODE
    unmapped = frozenset(_key(name) for name in _split(_UNMAPPED))
    for key in unmapped:
        lookup.pop(key, None)
    return _Tables(alpha3, lookup, unmapped, _by_code(entries))


def _flag_code(text: str) -> tuple[str | None, str]:
    """The country of a leading flag emoji (if any) and the text after it."""
    if len(text) >= 2 and all(_REGIONAL_A <= ord(ch) < _REGIONAL_A + 26 for ch in text[:2]):
        code = "".join(chr(ord(ch) - _REGIONAL_A + ord("A")) for ch in text[:2])
        return code, text[2:]
    if text.startswith(_BLACK_FLAG):  # 🏴 + tag letters: England, Scotland, Wales -> GB
        tags = []
        for ch in text[1:]:
            if not _TAG_A <= ord(ch) < _TAG_A + 26:
                break
            tags.append(chr(ord(ch) - _TAG_A + ord("A")))
        if len(tags) >= 2:
            rest = text[1 + len(tags) :].lstrip("\U000e007f")
            return "".join(tags[:2]), rest
    return None, text


def _lookup(words: list[str], locale: str | None, tables: _Tables) -> str | None:
    key = "".join(words)
    if not key or key in tables.unmapped:
        return None
    if locale is not None:
        code = _locale_data(locale).lookup.get(key)
        if code:
            return code
    code = tables.lookup.get(key)
    if code is not None:
        return code or None
    for prefix in _PREFIXES:
        if len(words) > len(prefix) and tuple(words[: len(prefix)]) == prefix:
            return _lookup(words[len(prefix) :], locale, tables)
    return None


def resolve_country(text: str, locale: str | None = None) -> str | None:
    """The ISO 3166-1 alpha-2 code ``text`` names, or ``None`` if unknown or ambiguous.

    Accepts alpha-2 and alpha-3 codes, a leading flag emoji, CLDR names in every supported
    language, ISO names, aliases and Wikidata labels. ``locale`` (the user's language) only
    breaks ties: a name its CLDR data gives to exactly one country wins.
    """
    text = text.strip()
    code, text = _flag_code(text)
    if code in _CODE_SET:
        return code
    words = _words(text)
    raw = "".join(words)
    if not raw:
        return None
    tables = _tables()
    if raw.isascii() and raw.isalpha():
        upper = raw.upper()
        if len(raw) == 2 and upper in _CODE_SET:
            return upper
        if len(raw) == 3 and upper in tables.alpha3:
            return tables.alpha3[upper]
    return _lookup(_key_words(words), locale, tables)


def search_countries(query: str, locale: str, limit: int = 8) -> list[str]:
    """Codes for a searchable picker, best first.

    A country matches when one of its names (CLDR in any supported language, ISO short
    names, aliases; its alpha-2/alpha-3 code exactly) equals, starts with, has a later word
    starting with, or contains the folded query - in that order of preference; names in
    ``locale`` before others, then alphabetically by the name in ``locale``.
    """
    words = _words(query)
    queries = {"".join(words), "".join(_key_words(words))} - {""}
    if not queries or limit <= 0:
        return []
    own = _locale_data(locale)
    every = _tables().search
    scored: list[tuple[int, int, str, str]] = []
    for code in COUNTRY_CODES:
        best: tuple[int, int] | None = None
        for tier, names in enumerate((own.search.get(code), every.get(code))):
            if names is None or not any(query in names.blob for query in queries):
                continue
            for entry in names.entries:
                rank = _match(entry, queries)
                if rank is not None and (best is None or (rank, tier) < best):
                    best = (rank, tier)
        if best is not None:
            scored.append((*best, own.sort_keys.get(code, code), code))
    scored.sort()
    return [code for *_, code in scored[:limit]]


def _match(entry: _Entry, queries: Iterable[str]) -> int | None:
    rank: int | None = None
    for query in queries:
        if entry.key == query:
            return 0
        if entry.exact_only:
            continue
        if entry.key.startswith(query):
            current = 1
        elif any(start.startswith(query) for start in entry.word_starts):
            current = 2
        elif query in entry.key:
            current = 3
        else:
            continue
        rank = current if rank is None else min(rank, current)
    return rank


def country_name(code: str, locale: str) -> str:
    """The CLDR name of ``code`` in ``locale`` ("Германия" for DE in ru), else the code.

    An unknown locale falls back to English."""
    return _locale_data(locale).names.get(code.strip().upper(), code)


def flag(code: str) -> str:
    """The flag emoji (two regional indicator symbols) of an alpha-2 code."""
    letters = code.strip().upper()
    if len(letters) != 2 or not (letters.isascii() and letters.isalpha()):
        raise ValueError(f"not an ISO 3166-1 alpha-2 code: {code!r}")
    return "".join(chr(_REGIONAL_A + ord(ch) - ord("A")) for ch in letters)


def country_label(code: str, locale: str) -> str:
    """A country as shown on buttons and in lists: its flag and its name in ``locale``."""
    try:
        return f"{flag(code)} {country_name(code, locale)}"
    except ValueError:
        return country_name(code, locale)
