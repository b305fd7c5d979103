#!/usr/bin/env python3
"""Regenerates resources/news/demo-corpus.json: the DemoProvider's fictional corpus.

Headline and summary templates are written below as frames with [a|b|c] alternatives; the
script expands each frame and keeps a fixed, seeded sample of ~120 headline templates per
category, so the JSON is reproducible. Every company, person, analyst firm, regulator and
source here is invented. Real tickers appear only in tickers.json; the demo provider maps
them onto these fictional companies, so no headline is about a real company.

    python3 resources/tools/make_demo_corpus.py > resources/news/demo-corpus.json
"""
import itertools
import json
import random
import re
import sys

SECTORS = {
    "auto": ["EV", "truck", "battery", "charging", "autonomy software"],
    "semis": ["data-center chip", "GPU", "memory", "foundry", "networking silicon"],
    "software": ["cloud", "subscription", "security software", "database", "AI assistant"],
    "internet": ["advertising", "search", "streaming", "marketplace", "social app"],
    "hardware": ["smartphone", "laptop", "wearables", "server", "services"],
    "retail": ["e-commerce", "grocery", "same-day delivery", "membership", "apparel"],
    "consumer": ["beverage", "snack", "household goods", "restaurant", "footwear"],
    "financials": ["lending", "card", "wealth management", "trading", "deposit"],
    "energy": ["upstream", "refining", "LNG", "offshore", "renewables"],
    "health": ["oncology", "vaccine", "obesity drug", "medical device", "insurance"],
    "industrials": ["aerospace", "defense", "rail", "machinery", "jet engine"],
    "telecom": ["wireless", "broadband", "fiber", "theme park", "cable"],
    "crypto": ["exchange", "custody", "token trading", "mining", "payments"],
    "fund": ["equity", "bond", "index", "sector", "volatility"],
}

# name, short name, sector, products, chief executive (all fictional)
COMPANIES = [
    ("Gullwing Motorworks", "Gullwing", "auto", ["Kestrel EV", "Heron pickup"], "Mara Velkov"),
    ("Brightwater Motors", "Brightwater", "auto", ["Tidewater sedan", "Current charger"], "Odile Fenn"),
    ("Tandem Axle Automotive", "Tandem Axle", "auto", ["Duo hatchback", "Longhaul cab"], "Rafe Oduya"),
    ("Voltmeadow Cars", "Voltmeadow", "auto", ["Meadowlark SUV", "Pollen battery pack"], "Ines Carrow"),
    ("Thistledown Semiconductor", "Thistledown", "semis", ["Burr-9 accelerator", "Seedhead memory"], "Kenji Albright"),
    ("Quillfeather Silicon", "Quillfeather", "semis", ["Nib GPU", "Inkwell interconnect"], "Priya Castellane"),
    ("Lumen Anvil Devices", "Lumen Anvil", "semis", ["Forge CPU", "Spark NPU"], "Tomas Wren"),
    ("Copperkettle Micro", "Copperkettle", "semis", ["Whistle modem", "Brew DRAM"], "Hallie Dunmore"),
    ("Marmalade Robotics", "Marmalade", "hardware", ["Jar home robot", "Rind arm"], "Felix Ashgrove"),
    ("Orchard Lane Devices", "Orchard Lane", "hardware", ["Pip phone", "Bough tablet"], "Selma Hartigan"),
    ("Pebblecove Computing", "Pebblecove", "hardware", ["Cove laptop", "Skipstone watch"], "Arlo Mendez-Fitch"),
    ("Cinderbloom Software", "Cinderbloom", "software", ["Ember cloud", "Ash analytics"], "Noor Haddley"),
    ("Paperlantern Systems", "Paperlantern", "software", ["Wick database", "Glow copilot"], "Dario Fenwick"),
    ("Hollowreed Cloud", "Hollowreed", "software", ["Reedbed storage", "Marsh security"], "Greta Olufemi"),
    ("Saltmarsh Data", "Saltmarsh", "software", ["Tide warehouse", "Brine pipelines"], "Yusuf Penrose"),
    ("Kitefield Networks", "Kitefield", "internet", ["Kite search", "Tailwind ads"], "Beatrix Lowe"),
    ("Starling Commons", "Starling", "internet", ["Murmur social", "Flock messenger"], "Caspian Reyes"),
    ("Reelhouse Media", "Reelhouse", "internet", ["Reel+ streaming", "Spool studios"], "Wendeline Park"),
    ("Bazaarwind Marketplaces", "Bazaarwind", "internet", ["Stall storefronts", "Gust rides"], "Omar Tillery"),
    ("Cartwheel Commerce", "Cartwheel", "retail", ["Spoke delivery", "Rim membership"], "June Abernathy"),
    ("Larkspur Outfitters", "Larkspur", "retail", ["Petal apparel", "Stem outlet"], "Harriet Quist"),
    ("Grocer's Compass", "Grocer's Compass", "retail", ["Needle pickup", "True North brands"], "Mateo Strand"),
    ("Amberloaf Foods", "Amberloaf", "consumer", ["Crust snacks", "Crumb cereal"], "Lotte Brannigan"),
    ("Fizzwater Beverage Co.", "Fizzwater", "consumer", ["Bubble soda", "Still tea"], "Ansel Moreau"),
    ("Bramblewick Home", "Bramblewick", "consumer", ["Thorn cleaner", "Berry tissues"], "Cordelia Nash"),
    ("Saddlestitch Footwear", "Saddlestitch", "consumer", ["Welt runner", "Lace trail shoe"], "Idris Cavanagh"),
    ("Pinecone Burger Co.", "Pinecone", "consumer", ["Cone burger", "Needle coffee"], "Rosalind Achebe"),
    ("Ledgerstone Bank", "Ledgerstone", "financials", ["Keystone card", "Mortar mortgages"], "Everett Calloway"),
    ("Gildmere Capital", "Gildmere", "financials", ["Mere wealth", "Gilt trading desk"], "Sunniva Ortiz"),
    ("Cobblepath Payments", "Cobblepath", "financials", ["Cobble wallet", "Path checkout"], "Lionel Achterberg"),
    ("Ironbridge Trust", "Ironbridge", "financials", ["Span deposits", "Girder loans"], "Maeve Oyelaran"),
    ("Tinderbox Brokerage", "Tinderbox", "financials", ["Flint app", "Spark options"], "Caleb Marchetti"),
    ("Northbarrow Energy", "Northbarrow", "energy", ["Barrow field", "Cairn refinery"], "Astrid Kolbeck"),
    ("Slate Basin Petroleum", "Slate Basin", "energy", ["Shale block 7", "Basin pipeline"], "Gideon Ferraro"),
    ("Windgate Renewables", "Windgate", "energy", ["Gatehouse wind farm", "Latch solar"], "Ottoline Baptiste"),
    ("Deepkeel Offshore", "Deepkeel", "energy", ["Keel rig", "Ballast LNG"], "Rufus Anand"),
    ("Heronsgate Therapeutics", "Heronsgate", "health", ["HG-401 oncology drug", "Wader vaccine"], "Dr. Imelda Sorensen"),
    ("Mistletoe Biologics", "Mistletoe", "health", ["MB-12 obesity drug", "Berry antibody"], "Dr. Kwame Ellery"),
    ("Cloverleaf Health", "Cloverleaf", "health", ["Leaf health plans", "Stem clinics"], "Philippa Grange"),
    ("Sundial Medical", "Sundial", "health", ["Gnomon pump", "Dial monitor"], "Dr. Anouk Rensel"),
    ("Featherlight Pharma", "Featherlight", "health", ["FL-88 migraine drug", "Plume inhaler"], "Dr. Barnaby Ito"),
    ("Skylark Aerostructures", "Skylark", "industrials", ["Lark-220 jet", "Trill engine"], "Constance Adeyemi"),
    ("Anvilcrest Machinery", "Anvilcrest", "industrials", ["Crest excavator", "Hammer tractor"], "Magnus Delacroix"),
    ("Bastion Hollow Defense", "Bastion Hollow", "industrials", ["Rampart radar", "Hollow drone"], "Evangeline Brisco"),
    ("Railstar Logistics", "Railstar", "industrials", ["Starline freight", "Switchyard software"], "Tobiah Klein"),
    ("Foxglove Telecom", "Foxglove", "telecom", ["Glove 5G", "Bell fiber"], "Seraphina Mbeki"),
    ("Dovetail Broadband", "Dovetail", "telecom", ["Joint fiber", "Tenon TV"], "Horatio Lindqvist"),
    ("Carousel Parks & Media", "Carousel", "telecom", ["Carousel parks", "Brass Ring studios"], "Delphine Okafor"),
    ("Mooncoin Exchange", "Mooncoin", "crypto", ["Crescent exchange", "Tide custody"], "Ravi Sondergaard"),
    ("Hashgrove Digital", "Hashgrove", "crypto", ["Grove mining", "Sapling wallet"], "Petra Vasquez-Holm"),
    ("Lanternfield Broad Market Fund", "Lanternfield fund", "fund", ["broad market basket"], "the fund's managers"),
    ("Harborlight Growth Trust", "Harborlight trust", "fund", ["growth basket"], "the trust's managers"),
    ("Demo 500 Index", "Demo 500", "fund", ["index constituents"], "index committee"),
    ("Meadowbrook Small Cap Fund", "Meadowbrook fund", "fund", ["small-cap basket"], "the fund's managers"),
    ("Stillwater Volatility Gauge", "Stillwater gauge", "fund", ["volatility futures"], "the gauge's sponsor"),
    ("Oakhaven Industrial Average", "Oakhaven average", "fund", ["industrial constituents"], "the average's editors"),
    ("Pennywhistle Software", "Pennywhistle", "software", ["Tune CRM", "Reed HR suite"], "Gwendolyn Achterberg"),
    ("Glasswing Optics", "Glasswing", "hardware", ["Pane headset", "Lens camera"], "Marcus Oyelowo"),
    ("Riverbend Semis", "Riverbend", "semis", ["Oxbow foundry", "Delta chiplets"], "Sabine Kettering"),
    ("Tallowmere Chemicals", "Tallowmere", "industrials", ["Wick polymers", "Mere coatings"], "Augustin Pell"),
]

SOURCES = [
    "Demo Wire", "Demo Newswire", "Harbor Street Journal (demo)", "The Lantern Ledger (demo)",
    "Bellwether Markets Daily (demo)", "Copperplate Financial Times (demo)", "Tickerwire Demo Desk",
    "Northgate Business Review (demo)", "The Quarterly Quill (demo)", "Mariner Money (demo)",
    "Gristmill Report (demo)", "Pinewood Capital Gazette (demo)", "Sextant Street (demo)",
    "The Daily Abacus (demo)", "Foghorn Finance (demo)", "Weathervane Wire (demo)",
    "Keystone Courier (demo)", "Brassbell Business (demo)", "The Trading Post (demo)",
    "Longshore Markets (demo)", "Meridian Tape (demo)", "Saltbox Economics (demo)",
    "Lighthouse Ledger (demo)", "The Open Bell (demo)", "Millrace Monitor (demo)",
    "Cobalt Markets Brief (demo)", "Hearthstone Herald (demo)", "The Spreadsheet (demo)",
    "Granary Street News (demo)", "Tollgate Times (demo)", "Bluebook Dispatch (demo)",
    "Windrose Wire (demo)", "The Closing Cross (demo)", "Ironleaf Investor (demo)",
    "Drumbeat Business (demo)", "Stonewharf Street (demo)", "Signal & Noise (demo)",
    "The Margin Note (demo)", "Harvest Moon Markets (demo)", "Quayside Capital News (demo)",
]

FIRMS = [
    "Pemberton & Vale (demo)", "Ashcombe Securities (demo)", "Larchmont Research (demo)",
    "Redfern Partners (demo)", "Castlebury Capital (demo)", "Whitlock Brothers (demo)",
    "Oriel Analytics (demo)", "Fenmore & Ross (demo)", "Halyard Equity Research (demo)",
    "Quarry Hill Advisors (demo)", "Brightling Markets (demo)", "Tidemark Securities (demo)",
]

REGULATORS = [
    "the Demo Markets Authority", "the Fictional Trade Commission", "the Imaginary Securities Board",
    "the Demo Competition Office", "the Model Drug Agency", "the Sample Transport Safety Board",
]

CITIES = ["Portsmere", "New Ashford", "Lake Corriden", "Eastwick Harbor", "Vellington", "Marrowgate",
          "Fairhollow", "Brightcastle", "Kingsferry", "Ostrava Bay"]

INDICATORS = ["payrolls", "consumer prices", "retail sales", "factory orders", "jobless claims",
              "housing starts", "producer prices", "consumer sentiment", "GDP growth", "services activity"]

# Frames: [a|b] alternatives expand; {slots} are filled by the DemoProvider at run time.
HEADLINES = {
    "earnings": [
        "{company} [beats|tops|clears] {quarter} [estimates|expectations|forecasts] on [strong|robust|record] {segment} [demand|sales]",
        "{company} [misses|falls short of|trails] {quarter} [estimates|expectations] as {segment} [sales slow|demand cools|margins shrink]",
        "{company} [posts|reports|delivers] {quarter} EPS of {eps} vs {eps2} [expected|consensus|estimated]",
        "{company} {quarter} revenue [rises|climbs|grows] {pct}% to {amount}",
        "{company} {quarter} revenue [falls|slips|declines] {pct}% to {amount}",
        "{company} [shares|stock] [jump|surge|rally] {pct}% after {quarter} [results|earnings|report]",
        "{company} [shares|stock] [slide|drop|tumble] {pct}% after {quarter} [results|earnings|report]",
        "{company} [swings to a profit|returns to profit|turns profitable] in {quarter}",
        "{company} [narrows|trims|cuts] {quarter} loss [to {amount}|as costs fall|on {segment} growth]",
        "{company} [margin|gross margin|operating margin] [widens|expands|improves] to {pct}% in {quarter}",
    ],
    "analyst": [
        "{firm} [upgrades|raises] {company} to [buy|outperform|overweight], [target|price target] {price}",
        "{firm} [downgrades|cuts] {company} to [sell|underperform|underweight] on {segment} [risks|concerns|headwinds]",
        "{firm} [lifts|raises] {company} price target to {price} from {price2}",
        "{firm} [lowers|trims|cuts] {company} price target to {price} from {price2}",
        "{firm} [initiates|starts|begins] {company} at [buy|neutral|hold|outperform]",
        "{firm} [reiterates|maintains|keeps] [buy|hold|neutral] on {company} ahead of {quarter}",
        "[Analysts|Wall Street|The Street] [turns bullish|turns cautious|split] on {company} [after investor day|before {quarter}|on {segment} outlook]",
        "{company} [added to|removed from] {firm} [top picks|conviction list|focus list]",
        "{firm} sees {pct}% [upside|downside] for {company} [on {segment}|in 12 months|as {product} ramps]",
        "{company} [gains|slips|moves] as {firm} [flags|highlights|questions] {product} [momentum|pricing|margins]",
        "{firm} [says|argues|thinks] {company} {segment} [worries|fears|hopes] [overdone|underappreciated|priced in]",
    ],
    "product": [
        "{company} [unveils|launches|debuts] {product} [at {city} event|ahead of schedule|with {pct}% lower price]",
        "{company} [delays|postpones|pushes back] {product} [launch|rollout|shipments] to {quarter}",
        "{company} [expands|widens|extends] {product} [to {count} markets|across {city}|with a new tier]",
        "{company} [recalls|pulls|halts sales of] {count} {product} units [over safety concern|after defect reports|for a software fix]",
        "{company} [cuts|lowers|slashes] {product} prices by {pct}%",
        "{company} [raises|lifts|hikes] {product} prices by {pct}%",
        "{company} [signs|inks|lands] {amount} {product} [deal|contract|supply agreement] with {partner}",
        "{company} [opens|breaks ground on|announces] {amount} {segment} [plant|facility|campus] in {city}",
        "{company} [says|reports] {product} [orders|preorders|sign-ups] [top|exceed|pass] {count}",
        "{company} [partners with|teams up with|joins forces with] {partner} on {segment} [push|rollout|venture]",
        "{company} [previews|teases|demos] [next-generation|updated|cheaper] {product} [for {year}|at {city} showcase|to developers]",
        "{company} [ends|discontinues|winds down] [older|legacy|budget] {segment} [line|models|offering] [to focus on {product}|by {quarter}|after weak sales]",
    ],
    "legal": [
        "{regulator} [opens|launches|widens] [probe|investigation|inquiry] into {company} {segment} [practices|unit|business]",
        "{company} [settles|resolves|ends] {segment} [lawsuit|dispute|case] for {amount}",
        "{company} [fined|penalised|hit with] {amount} [penalty|fine] by {regulator}",
        "[Judge|Court|Panel] [rules for|sides with|rules against] {company} in {segment} [patent|contract|antitrust] case",
        "{company} [faces|hit with|targeted by] [shareholder|class-action|patent] [lawsuit|suit|claim] over {product}",
        "{regulator} [clears|approves|blocks] {company} {product} [after review|with conditions|pending changes]",
        "{company} [wins|loses] [appeal|ruling|case] against {partner} over {product}",
        "{company} [discloses|reveals|confirms] {regulator} [subpoena|inquiry|review] in [filing|statement|letter]",
    ],
    "macro": [
        "[Stocks|Markets|Equities] [rise|climb|edge higher] as {indicator} [beat|top|surprise] [forecasts|expectations]",
        "[Stocks|Markets|Equities] [fall|slip|retreat] as {indicator} [miss|disappoint|undershoot] [forecasts|expectations]",
        "[Central bank|Rate setters|Policy makers] [hold|keep|leave] rates [steady|unchanged|on hold]; {company} [moves {pct}%|reacts|in focus]",
        "[Central bank|Rate setters|Policy makers] [cut|trim|lower] rates by {bps} basis points; {segment} [names|stocks|shares] [rally|climb|jump]",
        "[Central bank|Rate setters|Policy makers] [raise|lift|hike] rates by {bps} basis points; {segment} [names|stocks|shares] [slide|slip|drop]",
        "[Treasury yields|Bond yields|Yields] [climb|jump|rise] to {pct}%; {company} [under pressure|slips|lags]",
        "[Oil|Crude|Brent] [jumps|slides|swings] {pct}% on [supply worries|demand outlook|inventory data]; {company} [moves|reacts|in focus]",
        "{segment} [sector|stocks|names] [lead|lag|drive] [the market|the session|indexes] as {indicator} [data|report|print] [lands|arrives|comes in]",
        "[Dollar|The dollar|Currency markets] [firm|weaken|swing] after {indicator} [data|report|print]; {company} [exposed|in focus|moves]",
    ],
    "filing": [
        "{company} [files|submits|posts] {quarter} [10-Q|quarterly report|interim report] ([demo filing|fictional filing])",
        "{company} [files|submits] [8-K|current report] on {role} [change|transition|appointment]",
        "{company} [discloses|reports|reveals] {pct}% stake [sale|purchase|change] by {person} in [filing|Form 4|disclosure]",
        "{company} [registers|files for|plans] {amount} [share offering|debt offering|shelf registration]",
        "{company} [files|posts] annual report; [flags|cites|notes] {segment} [risks|headwinds|uncertainty]",
        "{company} [insider|director|executive] [buys|sells|trims] {count} shares, filing shows",
        "{company} [files|submits] proxy; [shareholders to vote|vote set|meeting planned] on {segment} [plan|spin-off|buyback]",
        "{company} [late|delayed|amended] [10-K|10-Q|filing] [cites|flags|points to] {segment} [review|restatement|audit]",
    ],
    "m&a": [
        "{company} [to acquire|agrees to buy|will buy] {partner} for {amount}",
        "{company} [in talks|in early talks|exploring a deal] to [buy|merge with|combine with] {partner}",
        "{company} [sells|divests|spins off] {segment} [unit|business|division] for {amount}",
        "{company} [rejects|spurns|turns down] {amount} [offer|bid|approach] from {partner}",
        "{partner} [raises|sweetens|ups] bid for {company} to {amount}",
        "{company} [completes|closes|wraps up] {amount} [acquisition|purchase|deal] of {partner}",
        "{company} [takes|buys|acquires] {pct}% stake in {partner} {segment} [venture|unit|arm]",
        "{company} [explores|weighs|considers] [sale|strategic options|breakup] [of {segment} unit|amid activist pressure|after review]",
        "[Activist|Investor group|Hedge fund] [builds|discloses|takes] stake in {company}, [urges|pushes|calls for] [changes|a sale|buybacks]",
    ],
    "guidance": [
        "{company} [raises|lifts|boosts] {year} [revenue|sales|profit] [outlook|guidance|forecast] to {amount}",
        "{company} [cuts|lowers|trims] {year} [revenue|sales|profit] [outlook|guidance|forecast] on {segment} [weakness|slowdown|headwinds]",
        "{company} [reaffirms|backs|holds] {year} [guidance|outlook|targets] despite {segment} [softness|uncertainty|volatility]",
        "{company} [sees|expects|forecasts] {quarter} [revenue|EPS|sales] [above|below|in line with] [estimates|consensus|expectations]",
        "{company} [announces|unveils|approves] {amount} [buyback|share repurchase|repurchase plan]",
        "{company} [raises|lifts|increases] [dividend|quarterly dividend|payout] {pct}%",
        "{company} [plans|announces|outlines] {pct}% [workforce reduction|job cuts|headcount cut] to [save|cut costs by|trim] {amount}",
        "{company} [targets|sets|outlines] {pct}% {segment} [growth|margin|share] by {year} at [investor day|strategy update|capital markets day]",
        "{role} {person} [says|tells investors|signals] {company} {segment} [demand|orders|pricing] [steady|improving|softening] into {quarter}",
    ],
}

SUMMARIES = {
    "earnings": [
        "[Demo data.|Fictional demo item.] {company} ({ticker}, demo stand-in) reported {quarter} revenue of {amount}; EPS came in at {eps} against {eps2} expected.",
        "[Demo data.|Fictional demo item.] {short} said {segment} sales moved {pct}% year over year; {role} {person} pointed to {product}.",
        "[Demo data.|Fictional demo item.] Results from {company}, the fictional company this demo maps to {ticker}, were [ahead of|below|in line with] the consensus of {firm}.",
    ],
    "analyst": [
        "[Demo data.|Fictional demo item.] {firm} set a {price} target on {company} ({ticker}, demo stand-in), citing {segment} trends and {product}.",
        "[Demo data.|Fictional demo item.] The note from {firm} on {short} sees {pct}% [upside|downside] over twelve months.",
    ],
    "product": [
        "[Demo data.|Fictional demo item.] {company} ({ticker}, demo stand-in) said {product} will reach {count} customers; {role} {person} called it a {segment} priority.",
        "[Demo data.|Fictional demo item.] {short} gave few details beyond pricing {pct}% [above|below] the previous model; the company is fictional.",
    ],
    "legal": [
        "[Demo data.|Fictional demo item.] {regulator} and {company} ({ticker}, demo stand-in) did not comment beyond a short statement about {product}.",
        "[Demo data.|Fictional demo item.] The matter concerns {short}'s {segment} business and an amount of {amount}; all parties are fictional.",
    ],
    "macro": [
        "[Demo data.|Fictional demo item.] {indicator} came in {pct}% [above|below] forecasts; {company} ({ticker}, demo stand-in) moved with the {segment} group.",
        "[Demo data.|Fictional demo item.] Traders watched {segment} names, with {short} among the most active in the demo session.",
    ],
    "filing": [
        "[Demo data.|Fictional demo item.] The fictional filing by {company} ({ticker}, demo stand-in) mentions {segment} risks and {count} shares.",
        "[Demo data.|Fictional demo item.] {short} listed {person} as {role}; no real filing exists for this demo item.",
    ],
    "m&a": [
        "[Demo data.|Fictional demo item.] {company} ({ticker}, demo stand-in) and {partner} value the {segment} deal at {amount}; both companies are fictional.",
        "[Demo data.|Fictional demo item.] Advisers from {firm} said talks around {short} could take until {quarter}.",
    ],
    "guidance": [
        "[Demo data.|Fictional demo item.] {company} ({ticker}, demo stand-in) now expects {year} revenue near {amount}, with {segment} growth of {pct}%.",
        "[Demo data.|Fictional demo item.] {role} {person} told fictional investors that {product} remains central to the {year} plan.",
    ],
}


def expand(frame):
    parts = re.split(r"\[([^\]]*)\]", frame)
    choices = [[p] if i % 2 == 0 else p.split("|") for i, p in enumerate(parts)]
    return ["".join(c) for c in itertools.product(*choices)]


def sample(frames, count, rng):
    per_frame = [expand(f) for f in frames]
    for options in per_frame:
        rng.shuffle(options)
    out, seen = [], set()
    # Round-robin over frames so every frame is represented.
    for i in itertools.count():
        progressed = False
        for options in per_frame:
            if i < len(options):
                progressed = True
                if options[i] not in seen:
                    seen.add(options[i])
                    out.append(options[i])
                    if len(out) == count:
                        return out
        if not progressed:
            return out


def main():
    rng = random.Random(20261125)
    corpus = {
        "notice": "Fictional demo corpus for Tickerwire's DemoProvider. Every company, person, "
                  "firm, regulator and source is invented; real tickers are mapped onto these "
                  "fictional companies and no item describes a real company.",
        "sectors": SECTORS,
        "companies": [
            {"name": n, "short": s, "sector": sec, "products": p, "executive": e}
            for n, s, sec, p, e in COMPANIES
        ],
        "sources": SOURCES,
        "analystFirms": FIRMS,
        "regulators": REGULATORS,
        "cities": CITIES,
        "indicators": INDICATORS,
        "categories": {
            cat: {
                "headlines": sample(HEADLINES[cat], 120, rng),
                "summaries": sample(SUMMARIES[cat], 24, rng),
            }
            for cat in HEADLINES
        },
    }
    json.dump(corpus, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
