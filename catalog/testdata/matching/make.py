#!/usr/bin/env python3
"""Writes catalog.jsonl and cases.jsonl of the matching set. See README.md.

Run from this folder: python3 make.py /path/to/us-grocery-items-dev
"""
import json, re, sys

def check(body):
    t = 0
    for i, c in enumerate(reversed(body)):
        t += int(c) * (3 if i % 2 == 0 else 1)
    return str((10 - t % 10) % 10)

def walmart_upc(code):
    """Walmart prints a UPC-A as 0 + its first 11 digits, no check digit."""
    body = code[1:12]
    return body + check(body)

serial = [0]
def made_up():
    """A GTIN in GS1's restricted-circulation range 200-299, which no trade
    item carries, for products and distractors written for this set."""
    serial[0] += 1
    body = "2%011d" % (990000 + serial[0])
    return body + check(body)

# Catalogue names for the Walmart UPCs, written as a catalogue names the
# product (brand first, words in full); each with distractors that share
# the brand or the kind of product.
WALMART = {
    "001200010451": ("Starbucks Frappuccino Mocha Chilled Coffee Drink 4 Pack", "starbucks",
                     ["Starbucks Frappuccino Vanilla Chilled Coffee Drink 4 Pack", "Starbucks Doubleshot Espresso 4 Pack"]),
    "003500055500": ("Colgate Extra Clean Toothbrush Medium", "colgate", ["Colgate Total Toothpaste 4.8 oz", "Oral-B Indicator Toothbrush Soft"]),
    "009725614790": ("Women's Fleece Slippers", "", ["Men's Fleece Slippers", "Women's Ankle Socks 6 Pack"]),
    "065356920144": ("Star Wars Action Figures 3 Pack", "hasbro", ["Star Wars Lightsaber Toy", "Marvel Action Figures 3 Pack"]),
    "005100024543": ("V8 V-Fusion Energy Pomegranate Blueberry 8 Pack", "campbell", ["V8 Original Vegetable Juice 46 fl oz", "V8 Splash Berry Blend 64 fl oz"]),
    "005114123488": ("Scotch-Brite Lint Roller 2 Pack", "3m", ["Scotch-Brite Scrub Sponges 3 Pack", "Evercare Lint Roller Refill"]),
    "003700011045": ("Dawn Original Dishwashing Liquid 24 fl oz", "dawn", ["Dawn Ultra Platinum Dishwashing Liquid", "Palmolive Original Dish Liquid 32 fl oz"]),
    "068113186503": ("Equate Ultra Thin Panty Liners 100 Count", "equate", ["Equate Cotton Rounds 100 Count", "Always Thin Liners 120 Count"]),
    "007535307841": ("Scotch Heavy Duty Packaging Tape 50 yd", "3m", ["Scotch Magic Tape 3 Rolls", "Duck Brand Packaging Tape 6 Pack"]),
    "007874221000": ("Great Value Vegetable Oil 48 fl oz", "great-value", ["Great Value Canola Oil 48 fl oz", "Great Value Extra Virgin Olive Oil 17 fl oz"]),
    "007874206203": ("Great Value Whole Kernel Corn 15.25 oz", "great-value", ["Great Value Cut Green Beans 14.5 oz", "Great Value Sweet Peas 15 oz"]),
    "003700077007": ("Gain Liquid Laundry Detergent Original 100 fl oz", "gain", ["Gain Fireworks Scent Booster 13.2 oz", "Tide Original Liquid Laundry Detergent 92 fl oz"]),
    "003700076954": ("Gain Fabric Softener Sheets Original 120 Count", "gain", ["Bounce Dryer Sheets Outdoor Fresh 120 Count"]),
    "004000050533": ("Snickers Fun Size Chocolate Bars 10.59 oz", "mars", ["Snickers Full Size Chocolate Bar 1.86 oz", "Milky Way Fun Size Bars 10.65 oz"]),
    "002740026499": ("I Can't Believe It's Not Butter Spread 15 oz", "", ["Country Crock Original Spread 15 oz"]),
    "003120001605": ("Ocean Spray Jellied Cranberry Sauce 14 oz", "ocean-spray", ["Ocean Spray Whole Berry Cranberry Sauce 14 oz", "Ocean Spray Cranberry Juice Cocktail 64 fl oz"]),
    "007874219999": ("Great Value Mini Marshmallows 10 oz", "great-value", ["Great Value Large Marshmallows 16 oz"]),
    "001280051783": ("Energizer Max AA Batteries 8 Pack", "energizer", ["Energizer Max AAA Batteries 8 Pack", "Duracell Coppertop AA Batteries 8 Pack"]),
    "035497333521": ("Hy-Vee Rustic Leg Pajama Pants", "", ["Women's Pajama Pants Plaid"]),
    "003700082365": ("Gain Dish Soap Original 21.6 fl oz", "gain", []),
    "004326880002": ("Fresh Cherries Bag", "", ["Fresh Red Seedless Grapes Bag"]),
    "004000047587": ("Mars Mixed Chocolate Fun Size Variety Pack 35 oz", "mars", ["M&M's Milk Chocolate Candies 10.7 oz"]),
    "003400029305": ("Goodbar Chocolate Bars Fun Size 6 Pack", "hershey", ["Hershey's Milk Chocolate Bars 6 Pack"]),
    "007874235191": ("Great Value Purified Drinking Water 1 gal", "great-value", ["Great Value Distilled Water 1 gal", "Great Value Spring Water 24 Pack"]),
    "007874212709": ("Great Value Large White Eggs 6 Count", "great-value", ["Great Value Large White Eggs 12 Count", "Great Value Cage Free Brown Eggs 12 Count"]),
    "019104567781": ("Athletic Works Men's Athletic Shorts", "", ["Athletic Works Women's Leggings"]),
    "007874243408": ("Great Value Quick Oats 18 oz", "great-value", ["Great Value Old Fashioned Oats 42 oz"]),
    "008429710921": ("Dexas Cutting Board 15 x 20 in", "", ["Dexas Heavy Duty Grippmat 3 Pack"]),
    "081236803115": ("Ozark Trail 20 oz Tumbler", "", ["Ozark Trail 30 oz Tumbler", "Ozark Trail 40 oz Water Bottle"]),
    "063050940732": ("Superhero Fighter Action Figure", "", ["Superhero Mask Costume"]),
}

# SPAR (South Africa) lines: products written for this set, with made-up
# GTINs, and lines whose product the catalogue does not hold.
SPAR = {
    "SMOKED VIENNAS 500GR 33.99 A": ("Smoked Viennas 500 g", ["Chicken Viennas 500 g", "Smoked Russians 500 g"]),
    "PEALED PEACHES 400G 82.99 A": ("Peeled Peaches in Syrup 400 g", ["Sliced Peaches in Syrup 410 g"]),
    "MILKY BAR CHOC 80GR 16.99 A": ("Nestlé Milkybar White Chocolate 80 g", ["Nestlé Bar One Chocolate 55 g"]),
    "LAZENBY WORCESTER SALICE 125ML 17.99 A": ("Lazenby Worcestershire Sauce 125 ml", ["Lazenby Steak and Chops Sauce 125 ml"]),
    "SPAR COOKING OIL 375ML 14.99 *": ("SPAR Cooking Oil 375 ml", ["SPAR Cooking Oil 750 ml", "SPAR Olive Oil 250 ml"]),
    "NESTLE AERO 85GR 20.99 A": ("Nestlé Aero Milk Chocolate 85 g", ["Nestlé Aero Mint Chocolate 85 g"]),
    "CADBURY DAIRY MI 80 GR 16.99 A": ("Cadbury Dairy Milk Chocolate 80 g", ["Cadbury Dairy Milk Top Deck 80 g", "Cadbury Lunch Bar 48 g"]),
    "TASTIC RICE 500GR 11.99 *": ("Tastic Long Grain Parboiled Rice 500 g", ["Tastic Basmati Rice 500 g"]),
    "BLACK CAT SMOOTH 270GR 27.99 A": ("Black Cat Smooth Peanut Butter 270 g", ["Black Cat Crunchy Peanut Butter 270 g"]),
}
SPAR_MISSING = ["MEDITERRANEAN MIX 1KG 44.99 *", "F/L ENGLISH CUCUMB 1'S 12.99 *", "CARRIER BAG 24L 1\"S 0.75 A",
                "BANANAS LOOSE 17KG 0.596kg @ 15.99 R /kg 9.53 *", "GRAPES MIXED TUB TUB 24.99 *"]

def main(data):
    catalog, cases = [], []
    def product(gtin, name, brand=""):
        p = {"gtin": gtin, "name": name}
        if brand:
            p["brand_id"] = brand
        catalog.append(p)
    for code, (name, brand, distractors) in WALMART.items():
        product(walmart_upc(code), name, brand)
        for d in distractors:
            product(made_up(), d, brand)
    for line, (name, distractors) in SPAR.items():
        g = made_up()
        product(g, name)
        for d in distractors:
            product(made_up(), d)
        cases.append({"line": line, "retailer": "spar", "gtin": g})
    for line in SPAR_MISSING:
        cases.append({"line": line, "retailer": "spar", "gtin": None})

    seen = set()
    for n in (0, 2, 4, 12, 14, 18, 8, 6):
        doc = json.load(open(f"{data}/{n}.json"))
        shop = doc["shop"][0]["text"].lower()
        retailer = "walmart" if "walmart" in shop or "waalmart" in shop else ("costco" if "costco" in shop else "")
        for it in doc["item"]:
            line = it["text"]
            if line in seen:
                continue
            seen.add(line)
            m = re.search(r"\b(0\d{11})", line)
            if retailer == "walmart" and m and m.group(1) in WALMART:
                g = walmart_upc(m.group(1))
                cases.append({"line": line, "retailer": retailer, "gtin": g})
                # The same line with its code lost, as OCR may lose it.
                bare = re.sub(r"\s*\b0\d{11}[A-Z]{0,2}\b", "", line)
                cases.append({"line": bare, "retailer": retailer, "gtin": g})
            else:
                cases.append({"line": line, "retailer": retailer, "gtin": None})
    with open("catalog.jsonl", "w") as f:
        for p in catalog:
            f.write(json.dumps(p, ensure_ascii=False) + "\n")
    with open("cases.jsonl", "w") as f:
        for c in cases:
            f.write(json.dumps(c, ensure_ascii=False) + "\n")

main(sys.argv[1])
