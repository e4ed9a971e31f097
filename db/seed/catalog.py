"""Seed data for the store's catalog: real Seiko references with their published specifications.

Facts (reference, collection, caliber, size, water resistance, crystal, list price) follow what Seiko and
the watch press have published; prices are USD list prices and are approximate where Seiko USA no longer
lists the model. Descriptions and reviews are written for this store. Sourcing figures (unit cost, pack
size, demand, opening stock) are the store's own planning numbers, not Seiko data.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class SeedSupplier:
    code: str
    name: str
    country: str
    lead_time_days: int
    lead_time_sd_days: Decimal  # how much deliveries vary around the quoted lead time


@dataclass(frozen=True)
class SeedReview:
    author: str
    rating: int
    title: str
    body: str


@dataclass(frozen=True)
class SeedWatch:
    reference: str
    name: str
    collection: str
    category: str
    movement: str
    caliber: str
    case_diameter_mm: Decimal
    case_material: str
    water_resistance_m: int
    crystal: str
    dial_color: str
    strap: str
    features: tuple[str, ...]
    price: Decimal
    description: str
    supplier_code: str
    unit_cost: Decimal
    pack_size: int
    min_order_qty: int
    daily_demand: Decimal
    initial_stock: int
    reviews: tuple[SeedReview, ...]


def _r(author: str, rating: int, title: str, body: str) -> SeedReview:
    return SeedReview(author=author, rating=rating, title=title, body=body)


SUPPLIERS: tuple[SeedSupplier, ...] = (
    SeedSupplier(code="SEIKO-JP", name="Seiko Watch Corporation (Tokyo)", country="Japan", lead_time_days=42,
                 lead_time_sd_days=Decimal("8")),
    SeedSupplier(code="SEIKO-US", name="Seiko Watch of America (Mahwah, NJ)", country="United States",
                 lead_time_days=14, lead_time_sd_days=Decimal("3")),
    SeedSupplier(code="SEIKO-APAC", name="Seiko Asia Pacific Distribution (Singapore)", country="Singapore",
                 lead_time_days=28, lead_time_sd_days=Decimal("7")),
    SeedSupplier(code="SEIKO-PREM", name="Seiko Premium Line Distribution (Shizukuishi, Iwate)", country="Japan",
                 lead_time_days=60, lead_time_sd_days=Decimal("15")),
)

_5_SPORTS_FEATURES = ("day_date", "rotating_bezel", "lumibrite", "hacking", "hand_winding")
_5_GMT_FEATURES = ("date", "gmt", "rotating_bezel", "lumibrite", "hacking", "hand_winding")
_MECH_DIVER_FEATURES = ("date", "rotating_bezel", "screw_down_crown", "lumibrite", "hacking", "hand_winding")
_KING_SEIKO_FEATURES = ("screw_down_crown", "hacking", "hand_winding")

WATCHES: tuple[SeedWatch, ...] = (
    # --- Seiko 5 Sports -------------------------------------------------------------------------------
    SeedWatch(
        reference="SRPD51K1", name="Seiko 5 Sports SRPD51 'Blue'", collection="Seiko 5 Sports",
        category="sports", movement="automatic", caliber="4R36", case_diameter_mm=Decimal("42.5"),
        case_material="stainless steel", water_resistance_m=100, crystal="hardlex", dial_color="blue",
        strap="bracelet", features=_5_SPORTS_FEATURES, price=Decimal("295.00"),
        description=(
            "The relaunched Seiko 5 Sports keeps the beloved SKX silhouette and fills it with the 4R36, a movement "
            "that hacks and hand-winds. This Sports Style version pairs a glossy blue dial with a matching "
            "unidirectional bezel and a steel bracelet. An exhibition caseback and 100 m of water resistance make "
            "it an easy everyday automatic."
        ),
        supplier_code="SEIKO-APAC", unit_cost=Decimal("159.30"), pack_size=6, min_order_qty=12,
        daily_demand=Decimal("2.2"), initial_stock=140,
        reviews=(
            _r("Marta K.", 5, "My first automatic, zero regrets",
               "The blue is deeper in person than in photos and the day-date is easy to read. It runs about "
               "+8 seconds a day on my wrist."),
            _r("Dev P.", 4, "Great value, so-so bracelet",
               "The case and bezel action feel solid for the price. The hollow end links rattle a little, so I "
               "moved it to a rubber strap."),
            _r("Lukas B.", 3, "Nice, but not a real diver",
               "Looks exactly like my old SKX but the crown doesn't screw down, so I keep it away from the pool. "
               "Fine as a desk watch."),
        ),
    ),
    SeedWatch(
        reference="SRPD53K1", name="Seiko 5 Sports SRPD53 'Pepsi'", collection="Seiko 5 Sports",
        category="sports", movement="automatic", caliber="4R36", case_diameter_mm=Decimal("42.5"),
        case_material="stainless steel", water_resistance_m=100, crystal="hardlex", dial_color="black",
        strap="bracelet", features=_5_SPORTS_FEATURES, price=Decimal("295.00"),
        description=(
            "A black dial framed by a red-and-blue bezel gives this 5 Sports the classic two-tone look without the "
            "luxury price. Inside is the 4R36 automatic with day-date at three, visible through a display back. "
            "The 42.5 mm case wears smaller than the number suggests thanks to its short, curved lugs."
        ),
        supplier_code="SEIKO-APAC", unit_cost=Decimal("159.30"), pack_size=6, min_order_qty=24,
        daily_demand=Decimal("2.4"), initial_stock=48,
        reviews=(
            _r("Tomás R.", 5, "The bezel colours pop",
               "The red and blue are bright without looking toy-like, and the lume on the hands lasts well into "
               "the night. Best sub-$300 watch I own."),
            _r("Hannah W.", 4, "Wears small, in a good way",
               "On my 6.5 inch wrist it fits comfortably. I knocked a star off because the bezel alignment is a "
               "hair off at twelve."),
            _r("Kenji O.", 4, "Reliable beater",
               "Six months of daily wear, one scuffed bezel, still keeping good time. Exactly what I wanted."),
        ),
    ),
    SeedWatch(
        reference="SRPD55K1", name="Seiko 5 Sports SRPD55 'Black'", collection="Seiko 5 Sports",
        category="sports", movement="automatic", caliber="4R36", case_diameter_mm=Decimal("42.5"),
        case_material="stainless steel", water_resistance_m=100, crystal="hardlex", dial_color="black",
        strap="bracelet", features=_5_SPORTS_FEATURES, price=Decimal("295.00"),
        description=(
            "The all-black Sports Style model is the most direct descendant of the SKX007 look: black dial, black "
            "bezel insert, white markers full of Lumibrite. The 4R36 movement adds hacking seconds and manual "
            "winding, and the day-date window sits at three o'clock. It is the quiet, go-with-anything 5 Sports."
        ),
        supplier_code="SEIKO-APAC", unit_cost=Decimal("159.30"), pack_size=6, min_order_qty=12,
        daily_demand=Decimal("1.8"), initial_stock=120,
        reviews=(
            _r("Owen M.", 5, "SKX vibes on a budget",
               "Black on black with the steel bracelet looks sharp. Hand-winding is a real upgrade over my old "
               "7S26 watch."),
            _r("Priya S.", 4, "Simple and legible",
               "Markers are big and bright, the day wheel is crisp. Timekeeping drifts about +12 s/day, within "
               "spec."),
            _r("Felix H.", 2, "Mine ran fast",
               "Out of the box it gained almost 30 seconds a day, more than I expected. Support offered a "
               "regulation but I'd rather it had arrived right."),
        ),
    ),
    SeedWatch(
        reference="SRPD63K1", name="Seiko 5 Sports SRPD63 'Green'", collection="Seiko 5 Sports",
        category="sports", movement="automatic", caliber="4R36", case_diameter_mm=Decimal("42.5"),
        case_material="stainless steel", water_resistance_m=100, crystal="hardlex", dial_color="green",
        strap="bracelet", features=_5_SPORTS_FEATURES, price=Decimal("295.00"),
        description=(
            "A forest-green dial and matching bezel make this one of the more characterful Sports Style models. "
            "The specification is the familiar 5 Sports recipe: 4R36 automatic, day-date, 100 m water resistance "
            "and a see-through caseback. It looks darker indoors and glows green in sunlight."
        ),
        supplier_code="SEIKO-APAC", unit_cost=Decimal("159.30"), pack_size=6, min_order_qty=12,
        daily_demand=Decimal("1.2"), initial_stock=72,
        reviews=(
            _r("Sofia L.", 5, "Green done right",
               "Not too bright, not murky. The dial shifts from olive to emerald depending on the light."),
            _r("Aaron D.", 3, "Lovely colour, average bracelet",
               "I love the dial but the stock bracelet pulls arm hair. On a grey NATO it's a completely different "
               "watch."),
        ),
    ),
    SeedWatch(
        reference="SRPD77K1", name="Seiko 5 Sports SRPD77 'Sense' Textured Green", collection="Seiko 5 Sports",
        category="casual", movement="automatic", caliber="4R36", case_diameter_mm=Decimal("42.5"),
        case_material="stainless steel", water_resistance_m=100, crystal="hardlex", dial_color="green",
        strap="nato", features=_5_SPORTS_FEATURES, price=Decimal("275.00"),
        description=(
            "From the Sense Style line, this 5 Sports has a pebbled green dial that fans nicknamed the 'Avocado', "
            "set off by an orange seconds hand. It comes on a fabric NATO strap, which makes it lighter and more "
            "casual than the bracelet models. The movement is the same dependable 4R36 automatic."
        ),
        supplier_code="SEIKO-APAC", unit_cost=Decimal("148.50"), pack_size=6, min_order_qty=6,
        daily_demand=Decimal("1.0"), initial_stock=0,
        reviews=(
            _r("Grace T.", 5, "That dial texture!",
               "Photos don't show how much the textured dial catches the light. The orange seconds hand is a fun "
               "touch."),
            _r("Marco V.", 4, "Weekend watch",
               "Light on the NATO and comfortable all day. The strap is a bit stiff at first but softens."),
            _r("Ines F.", 3, "Hard to read at night",
               "Lume is decent but the textured green swallows the hands in dim light. Still a looker."),
        ),
    ),
    SeedWatch(
        reference="SSK001K1", name="Seiko 5 Sports GMT SSK001 'Black'", collection="Seiko 5 Sports",
        category="sports", movement="automatic", caliber="4R34", case_diameter_mm=Decimal("42.5"),
        case_material="stainless steel", water_resistance_m=100, crystal="hardlex", dial_color="black",
        strap="bracelet", features=_5_GMT_FEATURES, price=Decimal("475.00"),
        description=(
            "The first GMT in the 5 Sports family uses the caliber 4R34, which adds an adjustable 24-hour hand to "
            "the familiar 4R platform. A black-and-grey 24-hour bezel tracks a second time zone, and the jubilee-"
            "style bracelet is new to the line. It is one of the most affordable mechanical GMTs available."
        ),
        supplier_code="SEIKO-APAC", unit_cost=Decimal("256.50"), pack_size=3, min_order_qty=6,
        daily_demand=Decimal("1.5"), initial_stock=90,
        reviews=(
            _r("Nadia A.", 5, "A real GMT under $500",
               "I fly between Chicago and Lisbon every month and the red GMT hand is perfect for home time."),
            _r("Peter J.", 4, "Jubilee is comfortable",
               "The five-link bracelet is the best Seiko has put on a 5 Sports. The date magnifier takes some "
               "getting used to."),
            _r("Chloe G.", 3, "It's a 'caller' GMT",
               "You jump the GMT hand, not the local hour hand, so changing time zones is fiddlier than I "
               "hoped. Still good value."),
        ),
    ),
    SeedWatch(
        reference="SSK003K1", name="Seiko 5 Sports GMT SSK003 'Blue'", collection="Seiko 5 Sports",
        category="sports", movement="automatic", caliber="4R34", case_diameter_mm=Decimal("42.5"),
        case_material="stainless steel", water_resistance_m=100, crystal="hardlex", dial_color="dark blue",
        strap="bracelet", features=_5_GMT_FEATURES, price=Decimal("475.00"),
        description=(
            "A navy dial and a blue-and-black 24-hour bezel give this 5 Sports GMT a travel-watch look with a "
            "nod to far pricier references. The 4R34 automatic runs a red GMT hand for a second zone, with date "
            "under a magnifier at three. It wears like the SKX-style 5 Sports it is built on."
        ),
        supplier_code="SEIKO-APAC", unit_cost=Decimal("256.50"), pack_size=3, min_order_qty=6,
        daily_demand=Decimal("1.3"), initial_stock=30,
        reviews=(
            _r("Rafael C.", 5, "Best colourway of the three",
               "The blue/black bezel with the navy dial is gorgeous, and the red GMT hand is easy to spot."),
            _r("Emily N.", 4, "Lots of watch for the money",
               "Bezel has a pleasant click and the bracelet clasp is better than older 5s. Runs +6 s/day."),
        ),
    ),
    # --- Prospex ----------------------------------------------------------------------------------------
    SeedWatch(
        reference="SPB143J1", name="Prospex 1965 Diver's Modern Re-interpretation SPB143", collection="Prospex",
        category="diver", movement="automatic", caliber="6R35", case_diameter_mm=Decimal("40.5"),
        case_material="stainless steel", water_resistance_m=200, crystal="sapphire", dial_color="dark grey",
        strap="bracelet", features=_MECH_DIVER_FEATURES, price=Decimal("1200.00"),
        description=(
            "This 40.5 mm diver reworks Seiko's first dive watch, the 62MAS of 1965, for modern wrists. A "
            "charcoal sunburst dial, drilled lugs and a brushed steel bezel sit under a domed sapphire crystal, "
            "and the case carries Seiko's scratch-resistant hard coating. The 6R35 inside stores about 70 hours "
            "of power."
        ),
        supplier_code="SEIKO-JP", unit_cost=Decimal("624.00"), pack_size=2, min_order_qty=4,
        daily_demand=Decimal("0.8"), initial_stock=40,
        reviews=(
            _r("Daniel E.", 5, "The perfect one-watch collection",
               "Size, finishing and that grey dial that turns almost black indoors. I stopped browsing for other "
               "divers after buying it."),
            _r("Yuki S.", 4, "Superb case, average movement",
               "The case finishing rivals Swiss watches at twice the price. Accuracy is only +15 s/day though."),
            _r("Ben A.", 4, "Wears beautifully",
               "13 mm thick but sits low thanks to the short lugs. The 70-hour reserve survives a weekend off."),
            _r("Laura P.", 3, "Bezel alignment lottery",
               "My first one had a misaligned bezel pip and went back. The replacement is perfect, but it's a "
               "$1,200 watch."),
        ),
    ),
    SeedWatch(
        reference="SPB147J1", name="Prospex 1965 Diver's Modern Re-interpretation SPB147 'Brown Gilt'",
        collection="Prospex", category="diver", movement="automatic", caliber="6R35",
        case_diameter_mm=Decimal("40.5"), case_material="stainless steel", water_resistance_m=200,
        crystal="sapphire", dial_color="brown", strap="bracelet", features=_MECH_DIVER_FEATURES,
        price=Decimal("1200.00"),
        description=(
            "The warm variant of the SPB14x family: a dark brown dial with gold-tone hands and indices gives the "
            "62MAS-inspired case a vintage, tropical feel. Everything else matches the SPB143, including the "
            "6R35 movement, 200 m rating and domed sapphire. It reads as the dressier of the two."
        ),
        supplier_code="SEIKO-JP", unit_cost=Decimal("624.00"), pack_size=2, min_order_qty=2,
        daily_demand=Decimal("0.4"), initial_stock=22,
        reviews=(
            _r("Victor L.", 5, "Chocolate and gold",
               "The brown dial goes from espresso to bronze in sunlight. Gilt accents make it work with a suit."),
            _r("Amelia R.", 4, "Great on leather",
               "I swapped the bracelet for a tan leather strap and it became my weekend favourite."),
        ),
    ),
    SeedWatch(
        reference="SRPE93K1", name="Prospex 'Turtle' SRPE93", collection="Prospex", category="diver",
        movement="automatic", caliber="4R36", case_diameter_mm=Decimal("45.0"), case_material="stainless steel",
        water_resistance_m=200, crystal="hardlex", dial_color="black", strap="silicone",
        features=("day_date", "rotating_bezel", "screw_down_crown", "lumibrite", "hacking", "hand_winding"),
        price=Decimal("495.00"),
        description=(
            "The modern Turtle keeps the cushion case of Seiko's 6309 diver from the 1970s, with the crown tucked "
            "in at four. It is a proper 200 m ISO-style diver with a screw-down crown, a 120-click bezel and "
            "generous Lumibrite. The 45 mm case is broad but the short lugs keep it wearable."
        ),
        supplier_code="SEIKO-US", unit_cost=Decimal("262.35"), pack_size=3, min_order_qty=6,
        daily_demand=Decimal("1.0"), initial_stock=45,
        reviews=(
            _r("Sam O.", 5, "Indestructible",
               "Took it snorkelling in Belize and surfing in Portugal. The lume is ridiculous after a minute of "
               "sunlight."),
            _r("Clara M.", 3, "Too big for me",
               "Beautiful case, but 45 mm and 13 mm thick was a lot on my 6 inch wrist. It went to my brother."),
            _r("Jorge T.", 4, "Classic Seiko diver",
               "The silicone strap is soft and comfortable. Hardlex crystal already has a hairline scratch."),
        ),
    ),
    SeedWatch(
        reference="SNE573P1", name="Prospex Solar Diver SNE573 'Compact Blue'", collection="Prospex",
        category="diver", movement="solar", caliber="V157", case_diameter_mm=Decimal("38.5"),
        case_material="stainless steel", water_resistance_m=200, crystal="hardlex", dial_color="blue",
        strap="bracelet", features=("date", "rotating_bezel", "screw_down_crown", "lumibrite"),
        price=Decimal("450.00"),
        description=(
            "A compact 38.5 mm Prospex diver that runs on light: the solar quartz movement charges from any lamp "
            "or window and keeps going for months in a drawer. It has the full 200 m diver toolkit, including a "
            "screw-down crown and unidirectional bezel. The blue dial keeps it bright enough for daily wear."
        ),
        supplier_code="SEIKO-US", unit_cost=Decimal("243.00"), pack_size=3, min_order_qty=3,
        daily_demand=Decimal("0.7"), initial_stock=25,
        reviews=(
            _r("Mei C.", 5, "A diver that fits a small wrist",
               "Finally a real Seiko diver at 38.5 mm. Solar means I never think about batteries."),
            _r("Rob K.", 4, "Grab-and-go",
               "Accurate to a few seconds a month, which I like after years of mechanical drift."),
            _r("Ana G.", 3, "Dial a bit plain",
               "Nothing wrong with it, but the blue is flatter than I hoped from the pictures."),
        ),
    ),
    SeedWatch(
        reference="SPB121J1", name="Prospex Alpinist SPB121 'Green'", collection="Prospex", category="field",
        movement="automatic", caliber="6R35", case_diameter_mm=Decimal("39.5"), case_material="stainless steel",
        water_resistance_m=200, crystal="sapphire", dial_color="green", strap="leather",
        features=("date", "screw_down_crown", "lumibrite", "hacking", "hand_winding"), price=Decimal("725.00"),
        description=(
            "The Alpinist traces back to a 1959 watch made for Japanese mountaineers, and this version keeps its "
            "signature gilt cathedral hands on a glossy green sunburst dial. A second crown turns an internal "
            "compass bezel, and the brown leather strap suits its outdoor roots. The 6R35 gives roughly 70 hours "
            "of reserve."
        ),
        supplier_code="SEIKO-JP", unit_cost=Decimal("384.25"), pack_size=2, min_order_qty=4,
        daily_demand=Decimal("0.6"), initial_stock=12,
        reviews=(
            _r("Jonas W.", 5, "Green and gold perfection",
               "The dial is the star, especially in morning light. Sapphire crystal and 200 m are a bonus for a "
               "field watch."),
            _r("Isla B.", 4, "Swap the strap",
               "The stock leather is stiff and a bit cheap for the price. On a bracelet it shines."),
            _r("Carlos N.", 2, "Date window spoils it",
               "The white date disc breaks up that beautiful green dial and the compass bezel is mostly "
               "decoration. Returned it."),
        ),
    ),
    SeedWatch(
        reference="SSC813P1", name="Prospex Speedtimer Solar Chronograph SSC813 'Panda'", collection="Prospex",
        category="chronograph", movement="solar", caliber="V192", case_diameter_mm=Decimal("39.0"),
        case_material="stainless steel", water_resistance_m=100, crystal="sapphire", dial_color="white",
        strap="bracelet", features=("chronograph", "date", "power_reserve_indicator", "lumibrite"),
        price=Decimal("700.00"),
        description=(
            "Seiko's Speedtimer name returns on a solar-powered chronograph with a white dial and black subdials, "
            "the classic panda layout. The light-charged V192 movement times events to a fifth of a second and "
            "shows its charge level on the dial. At 39 mm with a black tachymeter bezel it has a true 1960s "
            "racing look."
        ),
        supplier_code="SEIKO-US", unit_cost=Decimal("371.00"), pack_size=2, min_order_qty=2,
        daily_demand=Decimal("0.5"), initial_stock=20,
        reviews=(
            _r("Elliot F.", 5, "Daytona looks, Seiko price",
               "The panda dial is crisp and the 39 mm case is the right size for a chronograph."),
            _r("Hana Y.", 4, "Quartz, but a good one",
               "Pushers feel great and the chronograph hand snaps back to zero. The date at 4:30 is small."),
            _r("Greg S.", 3, "Bracelet lets it down",
               "The watch head is excellent, the bracelet feels thin next to it. I put it on a rally strap."),
        ),
    ),
    SeedWatch(
        reference="SLA017J1", name="Prospex 1965 Diver's Re-creation SLA017 (Limited Edition)",
        collection="Prospex", category="diver", movement="automatic", caliber="8L35",
        case_diameter_mm=Decimal("39.9"), case_material="stainless steel", water_resistance_m=200,
        crystal="box_sapphire", dial_color="black", strap="silicone", features=_MECH_DIVER_FEATURES,
        price=Decimal("4100.00"),
        description=(
            "A faithful, limited re-creation of the 62MAS, Seiko's first diver from 1965, assembled at the "
            "Shizukuishi studio. It runs the caliber 8L35, a close relative of Grand Seiko's 9S55, under a boxed "
            "sapphire that mimics the original's domed crystal. The 39.9 mm case keeps the vintage proportions."
        ),
        supplier_code="SEIKO-PREM", unit_cost=Decimal("2050.00"), pack_size=1, min_order_qty=1,
        daily_demand=Decimal("0.03"), initial_stock=2,
        reviews=(
            _r("Haruto M.", 5, "Closest thing to a vintage 62MAS",
               "Proportions, dial text and the box crystal are spot on. The 8L35 keeps time within a few "
               "seconds a day."),
            _r("Nora E.", 4, "Collector piece",
               "Finishing is a clear step above the SPB line. I wish the strap matched the quality of the head."),
        ),
    ),
    SeedWatch(
        reference="SLA033J1", name="Prospex 1970 Diver's Re-creation SLA033 'Willard' (Limited Edition)",
        collection="Prospex", category="diver", movement="automatic", caliber="8L35",
        case_diameter_mm=Decimal("45.0"), case_material="stainless steel", water_resistance_m=200,
        crystal="sapphire", dial_color="black", strap="silicone", features=_MECH_DIVER_FEATURES,
        price=Decimal("4250.00"),
        description=(
            "This limited edition re-creates the 6105 diver of 1970, the watch nicknamed 'Willard' after the film "
            "character who wore one. Its asymmetric cushion case shields the crown at four, just like the "
            "original, and the 8L35 movement is assembled at Shizukuishi. It is big at 45 mm but sits flat at "
            "13 mm thick."
        ),
        supplier_code="SEIKO-PREM", unit_cost=Decimal("2125.00"), pack_size=1, min_order_qty=1,
        daily_demand=Decimal("0.04"), initial_stock=3,
        reviews=(
            _r("Malik J.", 5, "The Willard, done properly",
               "The case shape is iconic and the finishing is exceptional. A grail I finally bought."),
            _r("Eva S.", 4, "Wears smaller than 45 mm",
               "The crown guard shape keeps it off your hand. Heavy-ish, but you feel the quality."),
            _r("Paul R.", 3, "Price is steep",
               "Lovely watch, but at this price I expected a better strap and a more engaging caseback."),
        ),
    ),
    SeedWatch(
        reference="SNR029J1", name="Prospex LX Diver SNR029 Spring Drive", collection="Prospex",
        category="diver", movement="spring_drive", caliber="5R65", case_diameter_mm=Decimal("44.8"),
        case_material="titanium", water_resistance_m=300, crystal="sapphire", dial_color="black",
        strap="bracelet",
        features=("date", "power_reserve_indicator", "rotating_bezel", "screw_down_crown", "lumibrite"),
        price=Decimal("6000.00"),
        description=(
            "Prospex LX is Seiko's top tier of sports watches, and this diver brings Spring Drive and Zaratsu-"
            "polished titanium to the line. The 5R65 caliber glides its seconds hand in one smooth sweep and "
            "shows the remaining power reserve on the dial. Its case was shaped with industrial designer Ken "
            "Okuyama."
        ),
        supplier_code="SEIKO-PREM", unit_cost=Decimal("3000.00"), pack_size=1, min_order_qty=1,
        daily_demand=Decimal("0.05"), initial_stock=1,
        reviews=(
            _r("Stefan K.", 5, "Grand Seiko tech in a tool watch",
               "The glide of the Spring Drive seconds hand never gets old. Titanium makes 44.8 mm feel light."),
            _r("Olivia H.", 4, "Polished to a mirror",
               "Zaratsu surfaces are stunning but pick up smudges instantly. Accuracy is about one second a "
               "week."),
        ),
    ),
    SeedWatch(
        reference="SPB411J1", name="Prospex 1968 Navigator Timer GMT SPB411 (Limited Edition)",
        collection="Prospex", category="pilot", movement="automatic", caliber="6R54",
        case_diameter_mm=Decimal("38.5"), case_material="stainless steel", water_resistance_m=100,
        crystal="sapphire", dial_color="grey", strap="bracelet",
        features=("date", "gmt", "rotating_bezel", "lumibrite", "hacking", "hand_winding"),
        price=Decimal("1400.00"),
        description=(
            "Inspired by the 1968 Navigator Timer, Seiko's first GMT with a rotating bezel, this limited edition "
            "keeps the compact 38.5 mm proportions of the original. A grey sunburst dial, an engraved 24-hour "
            "bezel and a red GMT hand make it a traveller's and pilot's companion. The 6R54 automatic stores "
            "about 72 hours."
        ),
        supplier_code="SEIKO-JP", unit_cost=Decimal("742.00"), pack_size=1, min_order_qty=2,
        daily_demand=Decimal("0.3"), initial_stock=14,
        reviews=(
            _r("Leo B.", 5, "Vintage size, modern movement",
               "38.5 mm with a 72-hour reserve and a proper GMT hand. The engraved bezel feels premium."),
            _r("Julia Z.", 4, "Red GMT hand is thin",
               "Charming detail, but it can vanish against the grey dial in dim cabins. Otherwise excellent."),
        ),
    ),
    SeedWatch(
        reference="SRQ037J1", name="Prospex Speedtimer Mechanical Chronograph SRQ037", collection="Prospex",
        category="chronograph", movement="automatic", caliber="8R46", case_diameter_mm=Decimal("42.5"),
        case_material="stainless steel", water_resistance_m=100, crystal="sapphire", dial_color="charcoal",
        strap="bracelet", features=("chronograph", "date", "hand_winding"), price=Decimal("2700.00"),
        description=(
            "A mechanical Speedtimer that borrows its layout from Seiko's 1964 stopwatch, with a charcoal dial, "
            "two registers and a stepped tachymeter ring. The 8R46 is an automatic column-wheel chronograph with "
            "a vertical clutch, so the seconds hand starts without a stutter. Pump pushers complete the period "
            "look."
        ),
        supplier_code="SEIKO-JP", unit_cost=Decimal("1404.00"), pack_size=1, min_order_qty=1,
        daily_demand=Decimal("0.15"), initial_stock=8,
        reviews=(
            _r("Andre V.", 5, "Column wheel joy",
               "Pushers are smooth and precise, and the bicompax dial is clean for a chronograph."),
            _r("Beth C.", 3, "Thick on the wrist",
               "Over 15 mm tall, so it won't slide under a cuff. The movement is great; the case is chunky."),
        ),
    ),
    # --- Presage ----------------------------------------------------------------------------------------
    SeedWatch(
        reference="SRPB41J1", name="Presage Cocktail Time SRPB41 'Blue Moon'", collection="Presage",
        category="dress", movement="automatic", caliber="4R35", case_diameter_mm=Decimal("40.5"),
        case_material="stainless steel", water_resistance_m=50, crystal="hardlex_curved", dial_color="blue",
        strap="leather", features=("date", "hacking", "hand_winding"), price=Decimal("425.00"),
        description=(
            "The Cocktail Time series began with a Tokyo bartender's signature drinks, and the Blue Moon is its "
            "best-known dial: a deep blue radial pattern finished with many layers of gloss. A box-shaped crystal "
            "and polished case dress it up, while the 4R35 automatic keeps it affordable. It comes on a dark "
            "blue leather strap."
        ),
        supplier_code="SEIKO-JP", unit_cost=Decimal("229.50"), pack_size=3, min_order_qty=6,
        daily_demand=Decimal("1.1"), initial_stock=70,
        reviews=(
            _r("Chris P.", 5, "Compliment magnet",
               "People ask about the dial every time I wear it. It changes from navy to electric blue under "
               "light."),
            _r("Anika R.", 4, "Dressy but not stuffy",
               "Perfect with a blazer. The strap is thin, so I upgraded to a grey suede one."),
            _r("Tom H.", 3, "Crystal is very reflective",
               "The curved Hardlex catches every ceiling light. Beautiful dial, sometimes hard to actually see."),
            _r("Lena W.", 5, "Wedding gift",
               "Bought it for my husband's wedding day. It looks far more expensive than it was."),
        ),
    ),
    SeedWatch(
        reference="SRPB43J1", name="Presage Cocktail Time SRPB43 'Skydiving'", collection="Presage",
        category="dress", movement="automatic", caliber="4R35", case_diameter_mm=Decimal("40.5"),
        case_material="stainless steel", water_resistance_m=50, crystal="hardlex_curved", dial_color="ice blue",
        strap="leather", features=("date", "hacking", "hand_winding"), price=Decimal("425.00"),
        description=(
            "A pale, icy blue take on the Cocktail Time dial, its radial texture catching light like a chilled "
            "glass. The time-and-date layout keeps it clean, and the curved crystal adds a vintage glow. Powered "
            "by the 4R35 automatic and finished with a leather strap."
        ),
        supplier_code="SEIKO-JP", unit_cost=Decimal("229.50"), pack_size=3, min_order_qty=6,
        daily_demand=Decimal("0.9"), initial_stock=55,
        reviews=(
            _r("Mira T.", 5, "Summer dress watch",
               "The light blue is fresh and easy to pair. Feels special for the money."),
            _r("Julian K.", 4, "Subtle in person",
               "Less dramatic than the Blue Moon, more versatile. Accuracy about +10 s/day."),
        ),
    ),
    SeedWatch(
        reference="SSA343J1", name="Presage Cocktail Time SSA343 'Skydiving' Power Reserve",
        collection="Presage", category="dress", movement="automatic", caliber="4R57",
        case_diameter_mm=Decimal("40.5"), case_material="stainless steel", water_resistance_m=50,
        crystal="hardlex_curved", dial_color="ice blue", strap="leather",
        features=("date", "power_reserve_indicator", "hacking", "hand_winding"), price=Decimal("575.00"),
        description=(
            "The ice-blue Cocktail Time dial gains two complications here: a power reserve indicator for the "
            "roughly 41-hour 4R57 and a pointer date in a subdial at six. The extra hands make it busier but more "
            "characterful than the time-only model. A display caseback shows the automatic movement at work."
        ),
        supplier_code="SEIKO-JP", unit_cost=Decimal("310.50"), pack_size=2, min_order_qty=4,
        daily_demand=Decimal("0.5"), initial_stock=26,
        reviews=(
            _r("Sara D.", 4, "Love the power reserve",
               "Handy to see when it needs a wind. The pointer date is fun but tiny."),
            _r("Noah G.", 5, "More watch for a little more money",
               "Compared with the plain version, the extra dial furniture makes it feel like a complication "
               "piece."),
            _r("Irene P.", 2, "Too cluttered for me",
               "The sunburst dial is lovely but between the reserve and date subdials it looks crowded. "
               "I returned it for the SRPB43."),
        ),
    ),
    SeedWatch(
        reference="SPB171J1", name="Presage Craftsmanship Arita Porcelain SPB171 (Limited Edition)",
        collection="Presage", category="dress", movement="automatic", caliber="6R27",
        case_diameter_mm=Decimal("40.6"), case_material="stainless steel", water_resistance_m=100,
        crystal="sapphire", dial_color="white", strap="leather",
        features=("date", "power_reserve_indicator", "hand_winding"), price=Decimal("2050.00"),
        description=(
            "Its dial is porcelain made in Arita, a town on Kyushu with four centuries of ceramic tradition, and "
            "it is inspired by the reflection of the moon on water. The 6R27 automatic drives a power reserve "
            "indicator and pointer date, both set into the porcelain. A limited piece for collectors of Japanese "
            "craft dials."
        ),
        supplier_code="SEIKO-JP", unit_cost=Decimal("1066.00"), pack_size=1, min_order_qty=1,
        daily_demand=Decimal("0.12"), initial_stock=6,
        reviews=(
            _r("Aiko N.", 5, "Porcelain you can wear",
               "The dial has a soft, almost liquid sheen that enamel doesn't quite match. Truly special."),
            _r("William T.", 4, "Thick for a dress watch",
               "At 14 mm it sits tall, but the dial makes up for it."),
        ),
    ),
    # --- Astron -----------------------------------------------------------------------------------------
    SeedWatch(
        reference="SSJ013J1", name="Astron GPS Solar SSJ013 'Blue'", collection="Astron", category="sports",
        movement="gps_solar", caliber="3X62", case_diameter_mm=Decimal("41.2"), case_material="titanium",
        water_resistance_m=100, crystal="sapphire", dial_color="blue", strap="bracelet",
        features=("date", "world_time"), price=Decimal("2100.00"),
        description=(
            "The current Astron pairs GPS time-zone adjustment with light-powered quartz, so it sets itself to "
            "local time wherever you land. Its angular titanium case, faceted bezel and integrated bracelet are "
            "light and hard-coated against scratches. Caliber 3X62 also pairs with a phone app for setup."
        ),
        supplier_code="SEIKO-PREM", unit_cost=Decimal("1092.00"), pack_size=1, min_order_qty=2,
        daily_demand=Decimal("0.12"), initial_stock=10,
        reviews=(
            _r("Greta L.", 5, "Set it and forget it",
               "Landed in Tokyo, pressed a button by the window, and it found the time zone in seconds."),
            _r("Omar F.", 4, "Light and sharp",
               "Titanium makes it feel weightless. The blue dial has a nice texture under the hands."),
            _r("Ravi M.", 3, "App is hit and miss",
               "The watch is great, but pairing with the app took several tries on my phone."),
        ),
    ),
    SeedWatch(
        reference="SSJ014J1", name="Astron GPS Solar SSJ014 'Grey'", collection="Astron", category="sports",
        movement="gps_solar", caliber="3X62", case_diameter_mm=Decimal("41.2"), case_material="titanium",
        water_resistance_m=100, crystal="sapphire", dial_color="grey", strap="bracelet",
        features=("date", "world_time"), price=Decimal("2200.00"),
        description=(
            "A grey-dial Astron whose titanium case is set off by a rose-gold-coloured bezel, the warmer option "
            "in the GPS Solar line. Like the rest of the family it receives satellite signals to correct time "
            "and zone and never needs a battery change. The integrated titanium bracelet closes with a push-"
            "button folding clasp."
        ),
        supplier_code="SEIKO-PREM", unit_cost=Decimal("1144.00"), pack_size=1, min_order_qty=1,
        daily_demand=Decimal("0.08"), initial_stock=0,
        reviews=(
            _r("Paolo D.", 4, "Understated two-tone",
               "The rose bezel is subtle, not flashy. Works with business casual very well."),
            _r("Helen B.", 5, "Frequent flyer's friend",
               "I switch between four time zones monthly and it has never been wrong."),
        ),
    ),
    # --- King Seiko -------------------------------------------------------------------------------------
    SeedWatch(
        reference="SPB279J1", name="King Seiko SPB279 'Silver'", collection="King Seiko", category="dress",
        movement="automatic", caliber="6R31", case_diameter_mm=Decimal("37.0"), case_material="stainless steel",
        water_resistance_m=100, crystal="box_sapphire", dial_color="silver", strap="bracelet",
        features=_KING_SEIKO_FEATURES, price=Decimal("1700.00"),
        description=(
            "The King Seiko name returned in 2022 with this 37 mm homage to the 1965 KSK, and the silver dial is "
            "the one closest to the original. Sharp faceted lugs, a wide textured twelve o'clock marker and a "
            "boxed sapphire follow Seiko's 1960s 'Grammar of Design'. The no-date 6R31 runs for about 70 hours."
        ),
        supplier_code="SEIKO-PREM", unit_cost=Decimal("884.00"), pack_size=1, min_order_qty=2,
        daily_demand=Decimal("0.2"), initial_stock=15,
        reviews=(
            _r("Henry A.", 5, "Finishing punches way above its price",
               "The play of light across the lugs is addictive. 37 mm is perfect for a dress watch."),
            _r("Kaito I.", 4, "Bracelet is a highlight",
               "Tapered, comfortable, beautifully bevelled. Movement accuracy is average, +9 s/day."),
            _r("Rachel O.", 3, "6R in a King",
               "Gorgeous case, but I hoped for a higher-grade movement under the King Seiko badge."),
        ),
    ),
    SeedWatch(
        reference="SPB281J1", name="King Seiko SPB281 'Light Grey'", collection="King Seiko", category="dress",
        movement="automatic", caliber="6R31", case_diameter_mm=Decimal("37.0"), case_material="stainless steel",
        water_resistance_m=100, crystal="box_sapphire", dial_color="light grey", strap="bracelet",
        features=_KING_SEIKO_FEATURES, price=Decimal("1700.00"),
        description=(
            "Unlike its sunburst siblings, this King Seiko has a vertically brushed light grey dial that looks "
            "silver in one light and steel-grey in another. The 37 mm case, 43.6 mm lug-to-lug, wears neatly on "
            "small and medium wrists. A screw-down crown and 100 m rating make it sturdier than most dress "
            "watches."
        ),
        supplier_code="SEIKO-PREM", unit_cost=Decimal("884.00"), pack_size=1, min_order_qty=2,
        daily_demand=Decimal("0.18"), initial_stock=9,
        reviews=(
            _r("Simon E.", 5, "The connoisseur's King Seiko",
               "The vertical brushing is understated and the polished markers jump out against it."),
            _r("Lucy F.", 4, "Keeps surprising me",
               "Looks different every hour of the day. Keeps about 3 s/day on mine, better than expected."),
        ),
    ),
    SeedWatch(
        reference="SJE083J1", name="King Seiko KSK SJE083 Re-creation (Limited Edition)",
        collection="King Seiko", category="dress", movement="automatic", caliber="6L35",
        case_diameter_mm=Decimal("38.1"), case_material="stainless steel", water_resistance_m=50,
        crystal="box_sapphire", dial_color="silver", strap="bracelet", features=("date", "hacking", "hand_winding"),
        price=Decimal("3400.00"),
        description=(
            "Released for Seiko's 140th anniversary in a run of 3,000 pieces, the SJE083 revived King Seiko by "
            "re-creating the 1965 KSK. The slim 6L35 automatic allows a thin case with a date, and the faceted "
            "case and hands are polished to a mirror. A collector's first King of the modern era."
        ),
        supplier_code="SEIKO-PREM", unit_cost=Decimal("1768.00"), pack_size=1, min_order_qty=1,
        daily_demand=Decimal("0.03"), initial_stock=2,
        reviews=(
            _r("Mateo G.", 5, "History on the wrist",
               "A beautiful re-creation. The 6L35 is accurate and thin, and the box crystal is a nice touch."),
            _r("Diane K.", 4, "Wish it were date-less",
               "The original had no date and I notice the window every day. Still a superb watch."),
        ),
    ),
    SeedWatch(
        reference="SJE091J1", name="King Seiko SJE091 'Black'", collection="King Seiko", category="dress",
        movement="automatic", caliber="6L35", case_diameter_mm=Decimal("38.6"), case_material="stainless steel",
        water_resistance_m=50, crystal="box_sapphire", dial_color="black", strap="bracelet",
        features=("date", "hacking", "hand_winding"), price=Decimal("3300.00"),
        description=(
            "A slimmer King Seiko built around the 6L35, which lets the 38.6 mm case shrink to 10.7 mm thick. The "
            "black sunburst dial and sharp faceted indices give it a formal, almost tuxedo-like presence. It is "
            "the King Seiko to choose when it has to slide under a shirt cuff."
        ),
        supplier_code="SEIKO-PREM", unit_cost=Decimal("1716.00"), pack_size=1, min_order_qty=1,
        daily_demand=Decimal("0.06"), initial_stock=5,
        reviews=(
            _r("Thomas N.", 5, "Thin at last",
               "The profile is what I wanted from the 37 mm models. The black dial is rich, not flat."),
            _r("Alicia M.", 3, "Pricey jump",
               "Nearly twice the 6R models. Better movement, yes, but the value gap is hard to ignore."),
        ),
    ),
    # --- Grand Seiko ------------------------------------------------------------------------------------
    SeedWatch(
        reference="SBGW231", name="Grand Seiko Elegance SBGW231", collection="Grand Seiko", category="dress",
        movement="manual", caliber="9S64", case_diameter_mm=Decimal("37.3"), case_material="stainless steel",
        water_resistance_m=30, crystal="box_sapphire", dial_color="cream", strap="leather",
        features=("hacking", "hand_winding"), price=Decimal("5400.00"),
        description=(
            "A hand-wound Grand Seiko in its purest form: a warm cream dial, Zaratsu-polished multi-faceted "
            "markers and dauphine hands, and nothing but hours, minutes and seconds. The 9S64 manual caliber "
            "stores about three days of power. At 37.3 mm on a crocodile strap, it is a classic dress watch."
        ),
        supplier_code="SEIKO-PREM", unit_cost=Decimal("2700.00"), pack_size=1, min_order_qty=1,
        daily_demand=Decimal("0.04"), initial_stock=3,
        reviews=(
            _r("Eleanor W.", 5, "My forever watch",
               "Winding it each morning has become a ritual. The cream dial glows and the hands are razor-"
               "sharp."),
            _r("Ichiro T.", 5, "Quiet perfection",
               "No date, no lume, no fuss. The polish on the markers is unmatched at this price."),
            _r("Mark B.", 4, "Scratches easily",
               "The mirror-polished case picks up marks quickly. A small price for how it looks."),
        ),
    ),
    # --- Seiko Lukia ------------------------------------------------------------------------------------
    SeedWatch(
        reference="SPB133J1", name="Seiko Lukia SPB133 'Gofun'", collection="Seiko Lukia", category="dress",
        movement="automatic", caliber="6R35", case_diameter_mm=Decimal("34.1"), case_material="stainless steel",
        water_resistance_m=100, crystal="sapphire", dial_color="white", strap="leather",
        features=("date", "hacking", "hand_winding"), price=Decimal("1350.00"),
        description=(
            "Lukia, long a Japan-only women's line, went global in 2020 with automatic models like this one. Its "
            "white mother-of-pearl dial carries eight diamond markers and a floral motif, a nod to the powdered-"
            "shell make-up of kabuki theatre. Inside is the 6R35 with about 70 hours of reserve."
        ),
        supplier_code="SEIKO-JP", unit_cost=Decimal("702.00"), pack_size=1, min_order_qty=2,
        daily_demand=Decimal("0.1"), initial_stock=6,
        reviews=(
            _r("Camille D.", 5, "Elegant and practical",
               "Mother-of-pearl and diamonds, yet 100 m water resistant. I wear it every day."),
            _r("Yasmin H.", 4, "Pretty dial, stiff strap",
               "The dial shimmers beautifully. The crocodile strap took weeks to soften."),
        ),
    ),
    # --- Essentials / Classic ---------------------------------------------------------------------------
    SeedWatch(
        reference="SUR369P1", name="Seiko Essentials Titanium SUR369", collection="Essentials", category="casual",
        movement="quartz", caliber="6N76", case_diameter_mm=Decimal("40.0"), case_material="titanium",
        water_resistance_m=100, crystal="sapphire", dial_color="black", strap="bracelet", features=("date",),
        price=Decimal("260.00"),
        description=(
            "An everyday three-hander in titanium, light enough to forget you are wearing it. A quartz movement "
            "means no winding and years between battery changes, and the 40 mm case suits almost any wrist. "
            "Simple baton markers keep the dial clean and easy to read."
        ),
        supplier_code="SEIKO-APAC", unit_cost=Decimal("135.20"), pack_size=5, min_order_qty=10,
        daily_demand=Decimal("1.2"), initial_stock=60,
        reviews=(
            _r("Peter S.", 4, "Featherweight",
               "Titanium makes this almost weightless. Great for travel and the office."),
            _r("Martina L.", 3, "Plain, in a good and bad way",
               "Does its job perfectly but there's nothing exciting about the dial."),
        ),
    ),
    SeedWatch(
        reference="SNK809K2", name="Seiko 5 SNK809 Field Automatic", collection="Classic", category="field",
        movement="automatic", caliber="7S26", case_diameter_mm=Decimal("37.0"), case_material="stainless steel",
        water_resistance_m=30, crystal="hardlex", dial_color="black", strap="fabric",
        features=("day_date", "lumibrite"), price=Decimal("150.00"),
        description=(
            "For many collectors this little field watch was the first automatic they ever owned. A black dial "
            "with bold Arabic numerals and an inner 24-hour track sits in a 37 mm bead-blasted case on a canvas "
            "strap. The 7S26 movement is simple and famously tough, though it neither hacks nor hand-winds."
        ),
        supplier_code="SEIKO-APAC", unit_cost=Decimal("81.00"), pack_size=6, min_order_qty=24,
        daily_demand=Decimal("2.5"), initial_stock=180,
        reviews=(
            _r("Jake R.", 5, "The gateway drug",
               "Bought it on a whim, now I own nine watches. Still my favourite for hiking."),
            _r("Fatima Z.", 4, "Tiny and legible",
               "37 mm is perfect for my wrist. Swap the canvas strap for a NATO right away."),
            _r("Oscar P.", 2, "Shake to start",
               "No hand-winding, so if you skip a day you're shaking it awake. Loses about 20 s/day too."),
        ),
    ),
    SeedWatch(
        reference="SKA371P2", name="Seiko Diver's Kinetic SKA371", collection="Classic", category="diver",
        movement="kinetic", caliber="5M62", case_diameter_mm=Decimal("42.0"), case_material="stainless steel",
        water_resistance_m=200, crystal="hardlex", dial_color="black", strap="bracelet",
        features=("date", "rotating_bezel", "screw_down_crown", "lumibrite"), price=Decimal("425.00"),
        description=(
            "Kinetic turns wrist movement into electricity, so this diver has quartz accuracy without ever needing "
            "a battery swap. It is a full 200 m diver with a 120-click bezel and screw-down crown, and a pusher "
            "above the crown reports the stored charge. A no-nonsense black dial keeps it legible underwater."
        ),
        supplier_code="SEIKO-APAC", unit_cost=Decimal("225.25"), pack_size=3, min_order_qty=3,
        daily_demand=Decimal("0.6"), initial_stock=20,
        reviews=(
            _r("Ivan K.", 4, "Quartz accuracy, no battery",
               "Wear it a few days and it's charged for weeks. Perfect for someone who rotates watches."),
            _r("Greta S.", 3, "Stops if left too long",
               "After a month in the drawer it needed a good shake-up to restart."),
        ),
    ),
    SeedWatch(
        reference="SNA411P1", name="Seiko Flightmaster SNA411 Alarm Chronograph", collection="Classic",
        category="pilot", movement="quartz", caliber="7T62", case_diameter_mm=Decimal("42.0"),
        case_material="stainless steel", water_resistance_m=200, crystal="hardlex_curved", dial_color="black",
        strap="bracelet", features=("chronograph", "alarm", "date", "lumibrite"), price=Decimal("395.00"),
        description=(
            "A cult pilot's watch: the Flightmaster combines a slide-rule bezel for in-flight arithmetic with a "
            "quartz chronograph and an alarm. Gold-tone numerals and hands on a black dial give it a cockpit-"
            "instrument look. Busy, yes, but every marking does a job."
        ),
        supplier_code="SEIKO-APAC", unit_cost=Decimal("209.35"), pack_size=2, min_order_qty=4,
        daily_demand=Decimal("0.5"), initial_stock=18,
        reviews=(
            _r("Nathan C.", 5, "Actually useful in the cockpit",
               "I'm a student pilot and the slide rule gets real use for fuel and time calculations."),
            _r("Bella J.", 3, "A lot going on",
               "Impressive, but the dial is crowded and reading the small registers takes effort."),
            _r("Hiro K.", 4, "Retro tool watch",
               "Alarm is loud enough to hear in a meeting, which is both good and embarrassing."),
        ),
    ),
)
