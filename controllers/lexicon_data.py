"""The emotion lexicon's table: English words, phrases and emoji with what they mean.

One entry per line: ``forms | category | intensity [| valence arousal dominance]``.

- ``forms``: comma-separated words or phrases that mean the same (inflections listed where the
  lexicon's rule-based lemmatiser, :func:`controllers.lexicon.lemma_candidates`, cannot derive
  them: "anger" from "angry", "fury" from "furious").
- ``category``: one of the studio's categories, or ``-`` for a purely dimensional word
  (proud, bored, tired: the category then comes from the nearest prototype of the mixture).
- ``intensity``: how strongly the word expresses it, 0..1 (annoyed 0.45, angry 0.7, furious 0.95).
- optional VAD point in [-1, 1] when the word sits elsewhere than its category's prototype
  (required for ``-`` entries).

Word choice and grading follow the usual emotion-family groupings of affective lexicons
(Shaver et al. 1987's prototype hierarchy; Russell & Mehrabian 1977 for the dimensional words),
tuned by hand for performance directions.
"""

EMOTION_WORDS = """
# --- anger ----------------------------------------------------------------------------------
angry, angrily, anger, angered, mad, madly                       | anger | 0.7
furious, furiously, fury, infuriated, infuriating               | anger | 0.95
livid                                                           | anger | 0.95
enraged, rage, raging, in a rage, rageful                       | anger | 0.95
irate, irately                                                  | anger | 0.8
seething, seethe, fuming, fume                                  | anger | 0.85
incensed, outraged, outrage, outrageous                         | anger | 0.9
wrathful, wrath, apoplectic, ballistic, berserk                 | anger | 0.95
irritated, irritation, irritably, irritable, irked               | anger | 0.5
annoyed, annoyance, annoying, peeved, miffed, grumbling, grumble, grumbly, hangry, bugged | anger | 0.45
cross with, grumpy, grumpily, cranky, crankily, grouchy, sulky, sulking, sulk, disgruntled, sour, sourly, moody        | anger | 0.45
frustrated, frustration, exasperated, exasperation               | anger | 0.6
indignant, indignantly, indignation, resentful, resentment       | anger | 0.6
bitter, bitterly, bitterness                                    | anger | 0.55 | -0.55 0.25 0.1
hostile, hostility, aggressive, aggressively, aggression          | anger | 0.75
vexed, vexation, displeased, displeasure                         | anger | 0.45
heated, hotheaded, fiery, hot-tempered                           | anger | 0.65
snappy, snappish, snapping, snarling, snarl, growling            | anger | 0.6
pissed, pissed off, ticked off, hopping mad, up in arms, fed up  | anger | 0.7
cold fury, icy, frosty, cold, coldly, chilly, curt, curtly       | anger | 0.55 | -0.45 0.1 0.35
menacing, menacingly, menace, threatening, threateningly, sinister, ominous, ominously, villainous, villain, intimidating, like a villain | anger | 0.65 | -0.45 0.3 0.65
scolding, scold, lecturing, reprimanding, telling off, drill sergeant | anger | 0.6 | -0.4 0.5 0.6
vengeful, vindictive, spiteful, spite                            | anger | 0.7
agitated, agitation                                              | anger | 0.5 | -0.4 0.6 0.0
impatient, impatiently, impatience                               | anger | 0.4
defiant, defiantly, defiance                                     | anger | 0.55 | -0.3 0.5 0.55
hateful, hate, hatred, loathing                                   | anger | 0.85
jealous, jealously, jealousy, envious, envy                       | anger | 0.5 | -0.55 0.35 -0.1
betrayed, betrayal, insulted, cheated, wronged, stole, stolen, robbed, ripped off, lied to | anger | 0.7
😡, 😠, 🤬, 👿, 💢                                                | anger | 0.85

# --- happiness ------------------------------------------------------------------------------
happy, happily, happiness                                       | happiness | 0.7
joyful, joyfully, joy, joyous, joyously                          | happiness | 0.8
cheerful, cheerfully, cheer, cheery, cheerily                    | happiness | 0.7
glad, gladly, pleased, pleasant, pleasantly, 👍, 👌, 🙌          | happiness | 0.55
delighted, delightedly, delight, delightful                      | happiness | 0.8
elated, elation, euphoric, euphoria, ecstatic, ecstasy           | happiness | 0.95
overjoyed, jubilant, jubilantly, exuberant, exuberance           | happiness | 0.95
thrilled, thrill, over the moon, on cloud nine, blissful, bliss   | happiness | 0.9
excited, excitedly, excitement, exciting                          | happiness | 0.8 | 0.6 0.8 0.3
enthusiastic, enthusiastically, enthusiasm, eager, eagerly        | happiness | 0.75 | 0.6 0.65 0.35
upbeat, bubbly, perky, chirpy, sunny, bright, merry, merrily     | happiness | 0.65
gleeful, gleefully, glee, giddy, giggly, giggling, giggle         | happiness | 0.8
laughing, laughter, laugh, laughs, amused, amusement, amusing    | happiness | 0.7
playful, playfully, teasing, cheeky, mischievous                 | happiness | 0.55 | 0.55 0.45 0.3
content, contented, contentment, satisfied, satisfaction          | happiness | 0.45 | 0.6 -0.1 0.3
grateful, gratefully, gratitude, thankful, thankfully             | happiness | 0.55 | 0.65 0.1 0.1
loving, lovingly, love, affectionate, affectionately, warm, warmly, tender, tenderly, fond, sweet, sweetly, kind, kindly, friendly, caring, nice, nicely | happiness | 0.55 | 0.7 0.0 0.15
flirty, flirtatious, flirting, flirt, seductive, seductively, sultry, coy, coyly | happiness | 0.55 | 0.6 0.3 0.3
hopeful, hopefully, hope, optimistic, optimism                    | happiness | 0.5 | 0.5 0.2 0.15
triumphant, triumphantly, triumph, victorious                     | happiness | 0.85 | 0.75 0.6 0.7
celebratory, celebrating, festive, party, partying               | happiness | 0.75
smiling, smile, smiley, grinning, grin, beaming, beam, radiant    | happiness | 0.65
good mood, in a good mood, good spirits, lighthearted, light-hearted, carefree | happiness | 0.6
fun, funny, jolly, jovial, happy-go-lucky                         | happiness | 0.6
greeting, welcoming, reunion, reunited, old friend, long lost friend, won, win, winning, lottery, jackpot, promotion, birthday, christmas, christmas morning, wedding, good news, great news, on top of the world | happiness | 0.8 | 0.7 0.7 0.4
wonderful, great, fantastic, awesome, brilliant, marvelous, marvellous, terrific, excellent, lovely, beautiful | happiness | 0.65
sports commentator, commentator, game show host, cheerleader | happiness | 0.75 | 0.55 0.85 0.45
😊, 😀, 😃, 😄, 😁, 😂, 🤣, 😆, 🥳, 😍, 🙂, ☺, 😺, 🎉, ❤, ♥     | happiness | 0.75

# --- sadness --------------------------------------------------------------------------------
# Sad words sit lower in arousal than Russell & Mehrabian's "sad" prototype: sadness in acted
# speech (EmoDB, the voice model's training data) is the slowest and quietest class.
sad, sadly, sadness, saddened                                    | sadness | 0.7 | -0.65 -0.42 -0.35
unhappy, unhappily, unhappiness                                  | sadness | 0.6 | -0.6 -0.35 -0.3
sorrowful, sorrow, sorrowfully, mournful, mournfully, mourning, mourn | sadness | 0.8 | -0.7 -0.42 -0.35
heartbroken, heartbreak, broken-hearted, brokenhearted, heart-broken, crushed, devastated, devastation | sadness | 0.95 | -0.8 -0.35 -0.45
grief, grieving, grieve, grief-stricken, bereaved, funeral, died, death, dying, lost, loss | sadness | 0.85 | -0.75 -0.35 -0.4
depressed, depression, depressing, despondent, despondently       | sadness | 0.85 | -0.7 -0.55 -0.45
gloomy, gloomily, gloom, glum, glumly, dismal, somber, sombre, sombrely, morose | sadness | 0.65 | -0.6 -0.45 -0.3
melancholy, melancholic, melancholically, wistful, wistfully, nostalgic | sadness | 0.55 | -0.45 -0.4 -0.25
miserable, miserably, misery, wretched, anguish, anguished, agony | sadness | 0.9 | -0.8 -0.25 -0.45
downcast, dejected, dejectedly, dejection, crestfallen, disheartened, discouraged | sadness | 0.7 | -0.6 -0.45 -0.4
down, bummed, bummed out, down in the dumps, feeling down, feeling blue, feeling low, low spirits, downhearted | sadness | 0.5 | -0.55 -0.4 -0.3
hopeless, hopelessly, hopelessness, despair, despairing, desperate | sadness | 0.85 | -0.75 -0.3 -0.6
lonely, loneliness, lonesome, forlorn, abandoned, dumped, rejected, rejection, homesick                 | sadness | 0.65 | -0.6 -0.4 -0.45
disappointed, disappointment, disappointing, let down            | sadness | 0.55 | -0.55 -0.2 -0.3
regretful, regret, remorseful, remorse, sorry, apologetic, apologetically, apologizing, apologising, apology, guilty, guilt, ashamed, shame | sadness | 0.55 | -0.55 -0.2 -0.45
hurt, hurting, wounded, pained, painful, aching, upset, upsetting, distraught, distressed, distress                  | sadness | 0.65 | -0.65 -0.2 -0.4
tearful, tearfully, tears, teary, weepy, crying, cry, cries, weeping, weep, sobbing, sob, sobs, choked up | sadness | 0.8 | -0.7 -0.2 -0.45
terrible news, bad news, sad news, tragic, tragically, tragedy, eulogy, farewell, goodbye, saying goodbye, in pain, pain | sadness | 0.75 | -0.65 -0.25 -0.4
pitiful, pitiable, pathetic, defeated, resigned, resignation       | sadness | 0.6 | -0.55 -0.5 -0.55
😢, 😭, 😞, 😔, ☹, 🙁, 😿, 💔, 😥, 😪                           | sadness | 0.75 | -0.65 -0.4 -0.35

# --- fear -----------------------------------------------------------------------------------
scared, scary, scare, afraid, fear, fearful, fearfully           | fear | 0.7
frightened, fright, frightening, frightful                       | fear | 0.8
terrified, terror, terrifying, horrified, horror, horrifying     | fear | 0.95
petrified, panicked, panic, panicking, panicky, panic-stricken   | fear | 0.95
alarmed, alarm, startled                                          | fear | 0.65
nervous, nervously, nervousness, jittery, jumpy, on edge, edgy, antsy, restless, flustered, overwhelmed   | fear | 0.55
anxious, anxiously, anxiety                                       | fear | 0.6 | -0.55 0.45 -0.4
worried, worry, worrying, worriedly, troubled, concerned, concern | fear | 0.5 | -0.5 0.35 -0.35
uneasy, uneasily, unease, apprehensive, apprehension, wary, warily, uncomfortable | fear | 0.4
tense, tensely, tension, stressed, stress, stressful, strained, uptight | fear | 0.5 | -0.45 0.5 -0.15
insecure, unsure, hesitant, hesitantly, hesitating, hesitation, timid, timidly, shy, shyly, meek, meekly | fear | 0.4 | -0.3 0.1 -0.6
shaky, shakily, shaking, trembling, tremble, quivering, quaking, shivering | fear | 0.7
spooked, creeped out, freaked out, freaked, freaking out, dread, dreading, dreadful | fear | 0.8
paranoid, threatened, vulnerable, interrogated, cornered, trapped, accused, helpless, helplessly, powerless | fear | 0.65 | -0.55 0.3 -0.7
ghost, monster, chased, haunted, nightmare, burglar, intruder, horrible, horrific, gruesome, creepy, eerie, spooky | fear | 0.85
pleading, plead, begging, beg, imploring, pleadingly, desperate plea | fear | 0.7 | -0.6 0.45 -0.65
hysterical, hysterically, hysteria, frenzied, out of control | fear | 0.9 | -0.45 0.9 -0.4
😱, 😨, 😰, 😧, 😟, 😬                                           | fear | 0.8

# --- disgust --------------------------------------------------------------------------------
disgusted, disgust, disgusting, disgustedly                      | disgust | 0.75
revolted, revolting, revulsion, repulsed, repulsive, repulsion   | disgust | 0.85
grossed out, gross, icky, yucky, yuck, eww, ew                   | disgust | 0.7
nauseated, nauseous, nausea, sickened, sickening, sick, queasy   | disgust | 0.7
repelled, repugnant, repugnance, abhorrent, appalled, appalling  | disgust | 0.8
contemptuous, contempt, scornful, scorn, disdainful, disdain, sneering, sneer | disgust | 0.65 | -0.55 0.2 0.45
loathsome, vile, foul, nasty, rotten, putrid, vomit, stink, stinking, smelly, sewage | disgust | 0.75
distasteful, distaste, aversion, averse, offended, offensive      | disgust | 0.5
🤢, 🤮, 😖, 😒                                                   | disgust | 0.75

# --- surprise -------------------------------------------------------------------------------
surprised, surprise, surprising, surprisingly                    | surprise | 0.7
astonished, astonishment, astonishing, astounded, astounding      | surprise | 0.85
amazed, amazement, amazing, amazingly                            | surprise | 0.8
stunned, stunning, shocked, shock, shocking, flabbergasted, dumbfounded | surprise | 0.85 | 0.0 0.7 -0.2
startled surprise, taken aback, caught off guard, bewildered, baffled, perplexed | surprise | 0.6 | -0.1 0.5 -0.3
awestruck, awed, in awe, wonder, wonderstruck, marvelling, marveling, wow | surprise | 0.75 | 0.5 0.6 -0.1
incredulous, incredulously, aghast, disbelief, unbelieving, unexpected, plot twist, what?!, no way | surprise | 0.6
😮, 😲, 😯, 🤯, 😳, ❗, ‼                                         | surprise | 0.75

# --- calm -----------------------------------------------------------------------------------
calm, calmly, calmness, calmed, calm down, settle down, settled | calm | 0.7
relaxed, relaxing, relax, relaxation, relaxedly                  | calm | 0.7
serene, serenely, serenity, tranquil, tranquility, tranquillity  | calm | 0.85
peaceful, peacefully, peace, at peace, at ease, placid           | calm | 0.75
composed, collected, cool, cool-headed, level-headed, unhurried, unbothered | calm | 0.55 | 0.35 -0.4 0.35
soothing, soothe, soothingly, comforting, comfort, consoling, reassuring, reassuringly, lullaby, bedtime story, sleeping baby, sleeping child, sleeping | calm | 0.7 | 0.6 -0.5 0.15
gentle, gently, mellow, easygoing, laid-back, laid back, chill, chilled, zen | calm | 0.6
dreamy, dreamily, meditative, contemplative, reflective, pensive, thoughtful, 🤔 | calm | 0.45 | 0.2 -0.5 0.0
😌, 😇, 🧘, 😴, 💤                                              | calm | 0.7

# --- neutral --------------------------------------------------------------------------------
neutral, neutrally, normally, normal voice, in a normal voice, natural, naturally, conversational, conversationally, casual, casually, news anchor, newsreader, newscaster, announcer, narrator, matter-of-fact, matter of fact, matter-of-factly, plain, plainly, flat, flatly, deadpan, unemotional, emotionless, impassive, detached, factual, businesslike, informative, no emotion, without emotion | neutral | 0.0
😐, 😑, 😶                                                       | neutral | 0.0

# --- dimensional (no category of their own) -------------------------------------------------
proud, proudly, pride                                            | - | 0.65 | 0.6 0.35 0.65
confident, confidently, confidence, self-assured, assured, certain, sure of yourself | - | 0.6 | 0.45 0.3 0.65
dominant, dominating, commanding, authoritative, assertive, assertively, bossy, in control, powerful, forceful, forcefully, firm, firmly, stern, sternly | - | 0.65 | 0.0 0.35 0.75
determined, resolute, resolutely, decisive, decisively, motivational, inspiring, inspirational, rousing, rallying            | - | 0.6 | 0.3 0.45 0.6
submissive, obedient, deferential, docile, humble, humbly, sheepish, sheepishly | - | 0.55 | -0.1 -0.15 -0.65
bored, boredom, boring, bored stiff, uninterested, disinterested, indifferent, apathetic, listless | - | 0.6 | -0.5 -0.62 -0.3
tired, tiredly, tiredness, low energy, weary, wearily, weariness, fatigued, fatigue, drowsy, yawning, yawn, worn out, drained | - | 0.6 | -0.2 -0.7 -0.3
exhausted, exhaustion, spent, burnt out, burned out               | - | 0.75 | -0.25 -0.8 -0.4
sleepy, sleepily, half asleep, just woke up, woke up, waking up, groggy, groggily | - | 0.6 | 0.0 -0.75 -0.2
energetic, energetically, energized, hyper, high energy, full of energy, lively, peppy, animated, vibrant, dynamic, pumped | - | 0.7 | 0.45 0.75 0.35
sarcastic, sarcastically, sarcastic tone, dry, dryly, drily, sarcasm, ironic, ironically, mocking, mockingly, snarky, sardonic, wry, wryly | - | 0.55 | -0.35 0.15 0.35
smug, smugly, arrogant, arrogantly, condescending, patronizing, patronising, haughty, cocky | - | 0.55 | 0.15 0.2 0.65
curious, curiously, curiosity, intrigued, interested, inquisitive | - | 0.5 | 0.35 0.35 0.05
confused, confusion, puzzled, bemused, unsure what to think, lost for words | - | 0.5 | -0.25 0.2 -0.35
terrible, awful, bad, unpleasant, unpleasantly, negative, negatively | - | 0.55 | -0.6 0.1 -0.2
breathless, breathlessly, out of breath, panting | - | 0.6 | -0.1 0.8 -0.2
urgent, urgently, urgency, hurried, rushed, in a hurry, hurry, frantic, frantically  | - | 0.7 | -0.3 0.75 0.0
serious, seriously, solemn, solemnly, grave, gravely              | - | 0.5 | -0.15 -0.15 0.3
awkward, awkwardly, embarrassed, embarrassment, sheepish grin     | - | 0.5 | -0.35 0.2 -0.45
relieved, relief                                                  | - | 0.55 | 0.55 -0.25 0.15
"""

#: Paralinguistic words: ``forms | attribute=value[, attribute=value] | arousal nudge``.
#: The nudge (in [-1, 1] units) only matters when no emotion word is present: a shouted line
#: with no emotion named is still more aroused than a whispered one.
ATTRIBUTE_WORDS = """
whisper, whispering, whispered, whispers, whispery, whisperingly, hushed, under your breath, under his breath, under her breath, sotto voce | voice_quality=whisper, loudness=quiet | -0.3
breathy, breathily, airy, intimate, sighing, sigh, husky          | voice_quality=breathy | -0.15
tense voice, tight, strangled, pressed, clenched                  | voice_quality=tense | 0.2
tense, strained                                                   | voice_quality=tense | 0.2
creaky, creakily, vocal fry, fry, gravelly, raspy, hoarse, croaky, croaking, rough, gruff | voice_quality=creaky | -0.1
shout, shouting, shouted, shouts, yell, yelling, yelled, scream, screaming, screamed, bellow, bellowing, holler, hollering, roar, roaring | loudness=loud | 0.5
loud, loudly, out loud, booming, boom, thunderous, projecting, at the top of your lungs, raised voice | loudness=loud | 0.3
quiet, quietly, quiet down, tone it down, toned down, sleeping baby, sleeping child, sleeping, not to wake, soft, softly, faint, faintly, muted, low volume, barely audible, mumble, mumbling, murmur, murmuring, almost silent, silent, gentle voice | loudness=quiet | -0.2
fast, quick, quickly, rapid, rapidly, hurriedly, hurried, rushed, in a hurry, briskly, brisk, speedy, rushing, racing, fast-paced, high speed | rate=fast | 0.2
slow, slowly, slow down, unhurriedly, leisurely, drawn out, drawling, drawl, measured, deliberate, deliberately, slow-paced, low speed | rate=slow | -0.2
deep, deeply pitched, low-pitched, low pitched, low pitch, bass, baritone, deep voice, low voice, lower pitch | pitch_level=low | -0.05
high, high-pitched, high pitched, high pitch, squeaky, shrill, piping, falsetto, higher pitch, high voice | pitch_level=high | 0.1
monotone, monotonous, monotonously, droning, drone, flat voice, robotic, robot, like a robot, flat intonation, little intonation, no intonation | pitch_variation=low | -0.2
expressive, expressively, animated voice, sing-song, singsong, melodic, lilting, dramatic, dramatically, theatrical, theatrically, lively intonation | pitch_variation=high | 0.15
"""

#: Intensifiers and diminishers: ``forms | rule``. ``to L``: a diminisher that sets the intensity
#: to about L (``L + 0.15 * (intensity - 0.7)``, so "a little furious" stays above "a little
#: annoyed"); ``+k``: an intensifier that closes the fraction k of the gap to full intensity.
#: Modifiers in front of one word stack, nearest first.
MODIFIERS = """
a tiny bit, a tiny little bit, tiny bit, the faintest, faintest, a teeny bit, the slightest bit, barely, hardly, scarcely, a trace of, a touch of, a hint of, hint of, trace of, touch of, a smidge, a faint | to 0.28
slightly, a little, a little bit, a bit, mildly, lightly, faintly, vaguely, a tad, tad, kind of, kinda, sort of, sorta, a shade, just a bit, just a little, a little more, low intensity, mild | to 0.4
somewhat, rather, fairly, moderately, partly, a little too, reasonably, semi, medium, moderate, less, not so much | to 0.5
quite, pretty, really, truly, genuinely, clearly, more and more, increasingly, growing, openly, visibly, quite a bit | +0.3
very, so, too, deeply, highly, seriously, strongly, terribly, awfully, intensely, super, hugely, majorly, full of, fully, overly, way too, really very, high intensity, intense, strong | +0.6
extremely, incredibly, absolutely, utterly, totally, completely, insanely, thoroughly, wildly, enormously, immensely, profoundly, exceedingly, overwhelmingly, unbelievably, ridiculously, outright, entirely, beyond, extreme, maximum | +0.85
"""

#: Words that are voice or emotion words alone but intensity adjectives right before an emotion
#: noun: "deep sadness", "high anxiety", "great joy", "low-level irritation". Same rules as above.
ADJECTIVE_MODIFIERS = """
deep, high, great, huge, big, sheer, pure, total, real | +0.6
low, low level, slight, little | to 0.4
"""

#: Negators: an emotion word within a few words after one of these is negated.
NEGATORS = "not, n't, no, never, without, nor, neither, none, no longer, not at all, not even, not the least bit, isn't, aren't, wasn't, don't, doesn't, free of, lacking, hardly any, far from, instead of, rather than"

#: Phrases marking a performed (masked) emotion that lies over the felt one: its weight drops.
MASKS = "trying to sound, trying to be, trying to seem, trying to look, trying to stay, trying to remain, trying to keep, try to sound, pretending to be, pretending, pretend to be, faking, fake, forced, forcing, putting on, masking, hiding, attempting to sound, struggling to sound, struggling to stay, feigning, feigned"
