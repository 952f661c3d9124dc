"""Generate the bundled demo data: support tickets (fictional, no real personal data).

Writes examples/support_tickets.jsonl (training data with planted PII, one planted secret and
two planted golden-set leaks) and evals/golden/support_tickets.jsonl (the golden set). Run
from the repository root; the output is committed, this script documents how it was made.
"""
import json
import random
from pathlib import Path

LABELS = {
    "billing": [
        "I was charged twice for my {plan} subscription this {period}.",
        "Why did my invoice go up to {amount} dollars without notice?",
        "Please refund the {amount} dollar charge from last {period}.",
        "My credit card payment for the {plan} plan failed but the money left my account.",
        "Can I get a receipt for the {plan} plan I paid in {month}?",
        "The discount code was not applied to my {plan} invoice.",
        "I cancelled in {month} but you still billed me {amount} dollars.",
        "How do I switch from monthly to yearly billing on the {plan} plan?",
    ],
    "technical": [
        "The {app} app crashes every time I open the {screen} screen.",
        "I get error {code} when I try to sync my {device}.",
        "The {screen} page loads forever on my {device}.",
        "After the latest update the {app} app will not start on my {device}.",
        "Uploads fail with error {code} since {month}.",
        "Notifications stopped working on my {device} after the update.",
        "The {screen} screen shows a blank page in the {app} app.",
        "My {device} keeps disconnecting from the {app} service.",
    ],
    "account": [
        "I cannot log in to my account after resetting my password.",
        "How do I change the email address on my account?",
        "Please delete my account and all of my {app} data.",
        "My account was locked after too many login attempts on my {device}.",
        "I want to add a second user to my {plan} account.",
        "Two-factor authentication codes never arrive on my {device}.",
        "How can I merge my two {app} accounts into one?",
        "I forgot the username for my {plan} account.",
    ],
    "shipping": [
        "My order {order} has not arrived after {days} days.",
        "The tracking number for order {order} does not work.",
        "The package for order {order} arrived damaged.",
        "Can you change the delivery address for order {order}?",
        "I received the wrong item in order {order}.",
        "How long does express shipping take to {city}?",
        "Order {order} shows delivered but I never got it.",
        "Do you ship to {city} and how much does it cost?",
    ],
}
# the golden set is written from its own templates: same domain, different sentences
GOLDEN = {
    "billing": [
        "The {plan} renewal took {amount} dollars from my card although auto-renew was off.",
        "I need an itemised statement for every {plan} payment since {month}.",
        "Your price page says {amount} dollars but checkout asked for more for the {plan} tier.",
        "Is there a partial refund if I downgrade from {plan} in the middle of the {period}?",
    ],
    "technical": [
        "Whenever I export a report on my {device} the {app} client freezes with {code}.",
        "Dark mode makes the {screen} view unreadable in the {app} client.",
        "Search on the {screen} view returns nothing since the {month} release.",
        "The {app} client uses all the battery on my {device} within an hour.",
    ],
    "account": [
        "Someone else signed into my profile from a {device} I do not own.",
        "I would like to transfer ownership of the {plan} workspace to a colleague.",
        "The verification e-mail for my new profile never showed up.",
        "Can I export everything stored in my {app} profile before closing it?",
    ],
    "shipping": [
        "The courier left parcel {order} at the wrong building in {city}.",
        "Parcel {order} has been stuck at customs for {days} days.",
        "Half of the items in parcel {order} were missing from the box.",
        "Could parcel {order} be held at the depot in {city} for pickup?",
    ],
}
FILL = {
    "plan": ["Basic", "Pro", "Team", "Family", "Premium"],
    "period": ["month", "week", "quarter"],
    "amount": ["12", "49", "99", "120", "15"],
    "month": ["January", "March", "June", "September", "November"],
    "app": ["mobile", "desktop", "web", "tablet"],
    "screen": ["settings", "dashboard", "checkout", "profile", "reports"],
    "code": ["E102", "E404", "E500", "E731", "E219"],
    "device": ["phone", "laptop", "tablet", "smart TV", "watch"],
    "order": ["A10293", "B55821", "C90017", "D31460", "E77102", "F20988"],
    "days": ["5", "10", "14", "21"],
    "city": ["Lisbon", "Oslo", "Denver", "Osaka", "Perth"],
}
OPENERS = ["", "Hello, ", "Hi team, ", "Good morning. ", "Urgent: ", "Hey, "]
CLOSERS = ["", " Thanks.", " Please help.", " Thank you in advance.", " Regards."]


def fill(rng, template):
    out = template
    for key, values in FILL.items():
        out = out.replace("{" + key + "}", rng.choice(values))
    return rng.choice(OPENERS) + out + rng.choice(CLOSERS)


def main():
    rng = random.Random(7)
    seen, golden, train = set(), [], []
    for label, templates in LABELS.items():
        for i in range(15):
            while (text := fill(rng, GOLDEN[label][i % 4])) in seen:
                pass
            seen.add(text)
            golden.append({"id": f"G{len(golden) + 1:03d}", "text": text, "label": label})
    for n in range(300):
        label = list(LABELS)[n % 4]
        while (text := fill(rng, rng.choice(LABELS[label]))) in seen:
            pass
        seen.add(text)
        train.append({"id": f"T{n + 1:04d}", "text": text, "label": label})
    # planted PII (fictional people), one planted secret, two planted golden leaks
    train[3]["text"] += " You can reach me at maria.keller@example.com or (555) 014-2398."
    train[10]["text"] = "This is Jonas Weber, my order A10293 never came. Call me on +1 555 013 7781."
    train[17]["text"] += " My card 4111 1111 1111 1111 was charged twice."
    train[42]["text"] += " I pasted my config by mistake: aws_access_key_id=AKIA4TQX7ZK2M9PLW3RB"
    g0, g1 = golden[2], golden[33]
    train[60] = {"id": "T0061", "text": "  " + g0["text"].upper().replace(" ", "  ") + " ",
                 "label": g0["label"]}
    # a hand-written paraphrase of g1, embedded in a longer ticket
    app = g1["text"].split(" my ")[1].split(" profile")[0]
    train[77] = {"id": "T0078", "label": g1["label"],
                 "text": "Forwarding a customer message from our queue: before I shut my "
                         f"{app} profile down, is there "
                         "a way to download all the data it holds? Can someone look into it today?"}
    root = Path(__file__).resolve().parent.parent
    with open(root / "examples" / "support_tickets.jsonl", "w") as f:
        for r in train:
            f.write(json.dumps(r) + "\n")
    (root / "evals" / "golden").mkdir(parents=True, exist_ok=True)
    with open(root / "evals" / "golden" / "support_tickets.jsonl", "w") as f:
        for r in golden:
            f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
