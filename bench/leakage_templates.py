"""Hand-written support-ticket templates for the leakage benchmark.

Each problem is (topic, original, [rewordings that keep the meaning]); slots in braces are
the ticket's specifics. Golden items use the original wording; paraphrase leaks use a
rewording with the same specifics; hard negatives use either wording with other specifics.
"""
from __future__ import annotations

PRODUCTS = ["Zephyr X2 headphones", "Nova 5 tablet", "Orbit smartwatch", "Lumen desk lamp",
            "Atlas router", "Pulse earbuds", "Vega 12 laptop", "Echo mini speaker",
            "Terra blender", "Quill e-reader", "Halo doorbell", "Stratus drone"]
CITIES = ["Lisbon", "Denver", "Osaka", "Glasgow", "Austin", "Lyon", "Perth", "Toronto",
          "Bergen", "Valencia", "Leeds", "Tucson"]
CARRIERS = ["DHL", "FedEx", "UPS", "Royal Mail", "Purolator", "DPD"]
PLANS = ["Premium", "Family", "Starter", "Business", "Student", "Plus"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]


def slots(rng) -> dict:
    return {"order": str(rng.randint(10000, 99999)), "amount": f"${rng.randint(12, 1999)}",
            "date": f"{rng.choice(MONTHS)} {rng.randint(1, 28)}",
            "product": rng.choice(PRODUCTS), "city": rng.choice(CITIES),
            "carrier": rng.choice(CARRIERS), "plan": rng.choice(PLANS),
            "version": f"{rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}",
            "code": f"E{rng.randint(100, 999)}", "days": str(rng.randint(3, 40))}


PROBLEMS = [
    ("billing", "I was charged twice for order {order} on {date} and I need a refund for the duplicate payment.",
     ["My card got billed two times for order {order} on {date}, so please give me back the extra charge.",
      "There are two identical payments for order {order} dated {date}; I'd like the duplicate refunded."]),
    ("billing", "My {plan} subscription renewed at {amount} even though I cancelled it before {date}.",
     ["Although I cancelled before {date}, the {plan} plan still renewed and took {amount} from me.",
      "I ended my {plan} membership ahead of {date} but was still charged {amount} for a renewal."]),
    ("billing", "The invoice for order {order} shows {amount} but the checkout page said a lower price.",
     ["At checkout order {order} was cheaper, yet the invoice lists {amount}.",
      "Why does the bill for order {order} say {amount} when checkout showed me less?"]),
    ("billing", "I used a promo code on order {order} but the {amount} discount was never applied.",
     ["The {amount} discount from my promo code did not get applied to order {order}.",
      "Order {order} was supposed to get {amount} off with my coupon, but it didn't."]),
    ("billing", "Please explain why my card was declined for the {plan} plan upgrade on {date}.",
     ["On {date} my card got rejected when I tried upgrading to {plan}; can you tell me why?",
      "Why was my payment refused for the {plan} upgrade I attempted on {date}?"]),
    ("billing", "I returned the {product} from order {order} but the {amount} refund has not arrived.",
     ["The {amount} refund for the {product} I sent back from order {order} still hasn't shown up.",
      "I sent back the {product} (order {order}) and I'm still waiting on my {amount} refund."]),
    ("technical", "My {product} stopped working after the firmware update {version} and now shows error {code}.",
     ["Since installing firmware {version} my {product} is dead and displays error {code}.",
      "After updating to version {version}, the {product} no longer works and gives error {code}."]),
    ("technical", "The {product} keeps disconnecting from Wi-Fi every few minutes since {date}.",
     ["Since {date} my {product} drops its Wi-Fi connection every couple of minutes.",
      "Every few minutes the {product} loses the wireless network, and it started on {date}."]),
    ("technical", "The battery on my {product} drains from full to empty in about {days} hours.",
     ["My {product} goes from a full charge to dead in roughly {days} hours.",
      "A fully charged {product} battery is flat after around {days} hours."]),
    ("technical", "I cannot pair the {product} with my phone, it fails with error {code} every time.",
     ["Pairing my {product} to my phone always fails and shows error {code}.",
      "Every attempt to connect the {product} to my phone ends with error {code}."]),
    ("technical", "The app crashes when I open the settings page for my {product} on version {version}.",
     ["With app version {version}, opening the {product} settings screen makes it crash.",
      "Opening settings for the {product} in version {version} of the app crashes it."]),
    ("technical", "My {product} will not turn on anymore even after charging it for {days} hours.",
     ["Even after {days} hours on the charger, my {product} refuses to power on.",
      "I charged the {product} for {days} hours and it still won't switch on."]),
    ("account", "I cannot log in to my account since {date}; the page says error {code}.",
     ["Since {date} I'm unable to sign in and the site shows error {code}.",
      "Logging into my account has failed with error {code} ever since {date}."]),
    ("account", "Please change the email on my {plan} account opened on {date}; I no longer have access to the old one.",
     ["I lost access to my old email, so please update the address on the {plan} account I opened on {date}.",
      "Could you swap the email address on my {plan} account from {date}? The old inbox is gone."]),
    ("account", "My account was locked after {days} failed login attempts on {date} and the reset link does not work.",
     ["After {days} wrong password tries on {date} my account got locked, and the reset link is broken.",
      "The account is locked because of {days} failed sign-ins on {date}, and resetting does not work."]),
    ("account", "I want to delete my account and all data linked to order {order}.",
     ["Please remove my account along with every piece of data tied to order {order}.",
      "Delete my profile and all the information connected to order {order}, please."]),
    ("account", "Two-factor codes for my {plan} account stopped arriving on {date}.",
     ["Since {date} I don't receive the two-factor codes for my {plan} account.",
      "My {plan} account's 2FA codes have not been coming through since {date}."]),
    ("account", "Someone changed the password on my {plan} account on {date} without my permission.",
     ["On {date} my {plan} account password was changed by someone other than me.",
      "The password of my {plan} account was reset on {date} and it wasn't me."]),
    ("shipping", "Order {order} was sent with {carrier} {days} days ago and tracking has not moved.",
     ["The {carrier} tracking for order {order} hasn't updated in the {days} days since it shipped.",
      "It's been {days} days since order {order} left with {carrier}, and the tracking is frozen."]),
    ("shipping", "The {product} in order {order} arrived broken and the box was crushed.",
     ["Order {order} came with the {product} damaged inside a crushed box.",
      "My {product} from order {order} was delivered smashed, packaging and all."]),
    ("shipping", "My parcel to {city} has been stuck in customs for {days} days.",
     ["The package going to {city} has sat in customs for {days} days now.",
      "For {days} days my shipment to {city} has been held at customs."]),
    ("shipping", "{carrier} says order {order} was delivered on {date} but I never received it.",
     ["According to {carrier}, order {order} was dropped off on {date}, yet nothing reached me.",
      "Order {order} shows as delivered by {carrier} on {date}, but it never arrived."]),
    ("shipping", "Can I change the delivery address for order {order} to my office in {city}?",
     ["I'd like order {order} sent to my workplace in {city} instead; is that possible?",
      "Is it possible to redirect order {order} to my office in {city}?"]),
    ("shipping", "Order {order} is missing the {product} even though the packing slip lists it.",
     ["The packing slip for order {order} includes the {product}, but it wasn't in the box.",
      "My order {order} arrived without the {product}, although it's on the packing list."]),
]

FOLLOWUPS = {
    "billing": [
        ("The charge appeared on {date} for {amount}.",
         ["I saw the {amount} charge on {date}.", "The {amount} payment was taken on {date}."]),
        ("I have attached the bank statement for order {order}.",
         ["The bank statement for order {order} is attached.", "Attached is my bank statement covering order {order}."]),
        ("This is the second time this has happened on my {plan} plan since {date}.",
         ["It's already happened once before on the {plan} plan since {date}.", "Since {date} my {plan} plan has had this happen twice now."]),
    ],
    "technical": [
        ("I already tried a factory reset and reinstalling version {version}.",
         ["A factory reset and a fresh install of {version} did not help.", "I reset it to factory settings and reinstalled {version} already."]),
        ("The problem started right after I bought it on {date}.",
         ["It began just after my purchase on {date}.", "Ever since I bought it on {date} this has been happening."]),
        ("Error {code} also appears on my second {product}.",
         ["My other {product} shows error {code} too.", "A second {product} I own gives the same error {code}."]),
    ],
    "account": [
        ("My username is the same as on order {order}.",
         ["The username matches the one on order {order}.", "I use the same username as on order {order}."]),
        ("I have been a {plan} customer since {date}.",
         ["I've had the {plan} plan since {date}.", "Since {date} I've been on {plan}."]),
        ("Support ticket {code} about this was closed without an answer.",
         ["My earlier ticket {code} on this got closed with no reply.", "Ticket {code} for this issue was shut without any response."]),
    ],
    "shipping": [
        ("The tracking number is on the {carrier} receipt from {date}.",
         ["The {carrier} receipt dated {date} has the tracking number.", "You'll find the tracking number on the {date} {carrier} receipt."]),
        ("I need it before I travel to {city} in {days} days.",
         ["I'm leaving for {city} in {days} days and need it first.", "In {days} days I fly to {city}, so I need it before then."]),
        ("I paid {amount} extra for express delivery.",
         ["I paid an additional {amount} for express shipping.", "Express delivery cost me {amount} more."]),
    ],
}

OPENERS = ["Hi there,", "Hello support team,", "Good morning.", "Hey,", "Dear customer service,",
           "Hi, hope you're well.", "Hello,", "Hi team,"]
CLOSERS = ["Thanks in advance.", "Please help as soon as possible.", "Looking forward to your reply.",
           "Thank you for your help.", "Regards.", "Cheers.", "Can someone get back to me today?",
           "I appreciate any help you can give."]
