using System.Text.RegularExpressions;

namespace Comx.Core.Safeguarding;

/// <summary>
/// The phrase-pattern layer of the default detector: first-person disclosures in the words children use, per
/// category of Keeping Children Safe in Education, read over <see cref="DisclosureText.Canonical"/> text.
/// </summary>
/// <remarks>
/// <para>Three tiers, strongest first. <b>Strong</b> patterns describe the child's own situation ("my dad hits me",
/// "i make myself sick after i eat", "they said they'll shank me") and escalate wherever they appear, even in a
/// question ("how do i stop cutting myself"). <b>Personal</b> patterns are a topic word the child puts themselves
/// next to ("i keep thinking about suicide", "i think i have anorexia"); they escalate unless the message is about
/// school work or a policy ("i need help with my essay on knife crime"). <b>Topic</b> patterns are the topic words
/// alone ("sewerslide again", "county lines"); they escalate unless the message is a question or about school work,
/// a policy, the news or a book ("what is your self-harm policy?", "when is the suicide prevention assembly?").</para>
/// <para>A match is dropped when it is negated ("i am not being bullied", "i would never kill myself"), when it is a
/// known idiom ("i want to die of embarrassment"), or when a game or play fight is the subject ("how do you make a
/// bomb in minecraft", "my brother hit me with a pillow"). Everything else is passed on: a false alarm costs a member
/// of staff a minute, a missed disclosure far more.</para>
/// <para>Matching uses the backtracking engine for its look-aheads; every gap is bounded and the text is one line of
/// words, and a timeout guards the rest.</para>
/// </remarks>
internal static class DisclosurePatterns
{
    private enum Tier
    {
        Strong,
        Personal,
        Topic,
    }

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    // Gaps of up to n words that never swallow a negation ("my dad does not hit me").
    private static string Gap(int n) => $@"(?:(?!(?:not|never|no|nobody)\b)\w+ ){{0,{n}}}";

    private const string Family =
        @"(?:dad|dada|daddy|father|papa|mum|mummy|mam|mom|mommy|mother|step ?dad|step ?father|step ?mum|step ?mom|step ?mother|"
        + @"parents?|brother|sister|bro|sis|uncle|aunt|auntie|aunty|grandad|grandpa|grandma|granny|nan|nana|nanny|cousin|"
        + @"carer|foster \w+|teacher|coach|tutor|neighbour|neighbor|boyfriend|girlfriend|partner|fella|old man|old lady|"
        + @"family|guardian|step ?brother|step ?sister|cuzin|cusin|cozin|nabour|bruv|sista)";

    private static readonly string Actor =
        $@"(?:my (?:\w+ ){{0,2}}{Family}s?|{Family}s? (?:\w+ )?(?:boyfriend|girlfriend|partner|fella)|he|she|they|someone|somebody|"
        + @"a man|a woman|an adult|an older \w+|this (?:man|guy|woman|lad)|a (?:boy|lad|guy|girl))";

    private const string Hit =
        @"(?:hit|hits|hiting|punch\w*|kick\w*|slap\w*|beat|beats|beating|beaten|bets|batter\w*|lether\w*|smack\w*|chok\w*|"
        + @"strangl\w*|burn\w*|grab\w*|whip\w*|belts|belted|hurt|hurts|hurting|knocks?|knocked|"
        + @"shov\w*|bit|bites|atack\w*|stamp\w*|headbut\w*|thump\w*|wack\w*|whack\w*|lash\w*|cane\w*|spank\w*|"
        + @"clout\w*|twat\w*|lamp\w*|deck\w*|batters|stabs?|stabed)";

    private const string Insult =
        @"(?:worthles\w*|woth\w*|useles\w*|stupid|a mistake|waste of space|waist of space|a waste|pathetic|a failure|"
        + @"failure|disapointment|ugly|fat pig|fat|thick|retard\w*|idiot|dumb|loser|a burden|burden|an acident|never born|"
        + @"nobody (?:wants|loves|wil ever love|would ever love) me|no one (?:wants|loves|wil ever love|would ever love) me|"
        + @"go away|ruin everything|ruined everything|worst (?:child|daughter|son|kid)|a disgrace|nothing|the reason (?:mum|dad|he|she|they) left)";

    private const string RadicalTargets =
        @"(?:muslims|jews|jewish people|immigrants|migrants|asylum seekers|refugees|blacks|black people|white people|gays|gay people|infidels|kafir|kufar|christians|hindus|sikhs|foreigners)";

    private const string SelfHarmTopic =
        @"(?:suicid\w*|sucid\w*|suicde|suiside|sewer ?slide\w*|self ?harm\w*|selfharm\w*|unaliv\w*|kms|overdos\w*)";

    // The first person near a topic word, but not "i help my friend who ...", which is about someone else.
    private const string Me =
        @"(?:\bi|\bmy|\bme|\bmyself|\bwe|\bour)\b (?:(?!(?:friend|friends|mate|mates|someone|somebody|people|student|students|pupil|pupils|"
        + @"child|children|kids|he|she|they|them|him|her|who|not|never)\b)\w+ ){0,4}";

    private static readonly (SafeguardingCategory Category, Tier Tier, string Pattern)[] Rules =
    [
        // Self-harm and suicidal ideation.
        (SafeguardingCategory.SelfHarm, Tier.Strong, $@"\b(?:kil|kils|kiling|kiled|unalive|unaliving|end|ending|hurt|hurting|harm|harming|cut|cuting|hang|hanging|burn|burnt|burned|burning|hit|hiting|punch|punching|starve|starving|drown|poison|stab|off) (?:my ?self|me self)\b(?! (?:in pe|playing|at football|by acident|on the|laughing))"),
        (SafeguardingCategory.SelfHarm, Tier.Strong, @"\b(?:kms|kys myself|end it al|ending it al|end my life|end my own life|take my (?:own )?life|sui ?side)\b"),
        (SafeguardingCategory.SelfHarm, Tier.Strong, $@"\b(?:i|i am|me) {Gap(3)}(?:want|wana|wanting|going|planing|plan|thinking about|think about|tempted|ready|about) (?:to )?(?:die|dying|end it|end everything|not be here|not exist|disappear forever|jump (?:of|in front))\b(?! (?:if|when|in|at|before|after|waiting|laughing|(?:of|from) (?:embarasment|boredom|laughing|laughter|cringe|shame|thirst|hunger|excitement)))"),
        (SafeguardingCategory.SelfHarm, Tier.Strong, @"\b(?:do not|never) want to (?:be here|be alive|live|exist|wake up|go on|cary on)\b"),
        (SafeguardingCategory.SelfHarm, Tier.Strong, @"\b(?:wish|wished) i (?:was|were|could be|had never been|was never) (?:dead|gone|born|never born)\b"),
        (SafeguardingCategory.SelfHarm, Tier.Strong, @"\b(?:beter of|beter) (?:dead|without me|if i (?:was|were|wasnt|was not|were not) (?:here|around|gone|alive|dead))"),
        (SafeguardingCategory.SelfHarm, Tier.Strong, @"\b(?:happier|beter of|beter) (?:\w+ ){0,2}(?:without me|if i (?:was|were|wasnt|was not|were not|am not|died))"),
        (SafeguardingCategory.SelfHarm, Tier.Strong, @"\b(?:nobody|no one|noone|anyone|anybody) (?:would|wil|wouldnt|even|would even|would actualy|realy) (?:\w+ )?(?:notice|mis|care)\w* (?:me|if i|when i|that i)"),
        (SafeguardingCategory.SelfHarm, Tier.Strong, @"\b(?:if|when) i (?:was|were|am|was not|were not) (?:gone|dead|not here|not around|no longer here)\b|\bif i (?:died|disappeared)\b"),
        (SafeguardingCategory.SelfHarm, Tier.Strong, @"\b(?:what is the|whats the|no|dont se the|do not se the|cant se the|can not se the|not se the|se no) point (?:of|in) (?:living|life|anything|being alive|going on|me|trying|it al|anymore)"),
        (SafeguardingCategory.SelfHarm, Tier.Strong, @"\b(?:want|wants|need|needs) (?:it al|everything|the pain|it) to (?:stop|end) (?:for ever|forever|permanently)?"),
        (SafeguardingCategory.SelfHarm, Tier.Strong, @"\b(?:go to sleep|fal asleep|sleep) and (?:never|not) wake up\b"),
        (SafeguardingCategory.SelfHarm, Tier.Strong, @"\b(?:goodbye leters?|goodbye note|suicide note|say goodbye to everyone|planing how to do it|planed how to do it|stockpil\w*|saving up (?:pils|tablets))"),
        (SafeguardingCategory.SelfHarm, Tier.Strong, @"\b(?:took|taken|swalowed|swalow|take|taking|od|od ed|overdosed on) (?:\w+ ){0,3}(?:pils|tablets|paracetamol|painkilers)\b"),
        (SafeguardingCategory.SelfHarm, Tier.Strong, @"\b(?:cut|cuts|cuting|slit|slash\w*|scratch\w*|carve\w*) (?:my |up my )?(?:arms?|wrists?|legs?|thighs?|skin|stomach)\b"),
        (SafeguardingCategory.SelfHarm, Tier.Strong, @"\b(?:until|til|till|so) (?:it|they) (?:bleds?|bled|bleeds)\b|\bto feel something\b|\bthe razor\b|\brazors? (?:blade|again|thing)|\bmy (?:scars|cuts)\b"),
        (SafeguardingCategory.SelfHarm, Tier.Strong, @"\b(?:i am|i feel|feeling|felt|i fel) (?:\w+ )?(?:a burden|like a burden|suicidal|like dying|like ending it|empty inside|like i should die)\b"),
        (SafeguardingCategory.SelfHarm, Tier.Strong, @"\bi hate my (?:life|self)\b|\bi (?:realy |just )?hate myself\b"),
        (SafeguardingCategory.SelfHarm, Tier.Personal, $@"{Me}{SelfHarmTopic}"),
        (SafeguardingCategory.SelfHarm, Tier.Topic, SelfHarmTopic),

        // Eating disorders.
        (SafeguardingCategory.EatingDisorder, Tier.Strong, @"\b(?:make|makes|making|made|makin) (?:my ?self|me) (?:sick|throw up|vomit|puke)\b"),
        (SafeguardingCategory.EatingDisorder, Tier.Strong, @"\b(?:throw|throwing|threw|sick|puke|puking|vomit\w*) (?:\w+ ){0,3}(?:after (?:every |each )?(?:meal|i eat|eating|food|dinner|lunch|tea)|back up|so i (?:wil |would |can |could )?(?:lose|not gain|do not gain|stay)|to lose)"),
        (SafeguardingCategory.EatingDisorder, Tier.Strong, @"\b(?:purg\w*|binge\w*|laxatives?|diet pils|pro ?ana|pro ?mia|thinspo\w*|starv\w* (?:my ?self|to get thin|to be thin)|i starve)\b"),
        (SafeguardingCategory.EatingDisorder, Tier.Strong, @"\b(?:stoped|stop|quit) eating\b|\b(?:have not|did not|not) (?:eaten|eat|had) (?:anything |any food |food )?(?:for|in) (?:\d+|two|thre|four|five|six|a few|days|a wek|a couple)"),
        (SafeguardingCategory.EatingDisorder, Tier.Strong, @"\bonly (?:eaten|eat|ate|had|drink|drank) (?:an? |one |some |\d+ |like )?(?:apple|water|fruit|cracker|biscuit|bite|cal|calorie|grape|piece|bowl|slice|cup|diet coke|cofee|nothing)\w* (?:\w+ ){0,3}(?:al day|in \w+ days|a day|al wek|for days|since|so i)"),
        (SafeguardingCategory.EatingDisorder, Tier.Strong, @"\b(?:do not|dont|never) deserve to eat\b|\b(?:scared|afraid|terified|frightened) of (?:food|eating|gaining weight|geting fat|puting on weight)\b"),
        (SafeguardingCategory.EatingDisorder, Tier.Strong, @"\b(?:count|counting|track) (?:every )?calorie\w*|\b\d+ cals?\b|\bcals a day\b|\bpunish my ?self\b"),
        (SafeguardingCategory.EatingDisorder, Tier.Strong, @"\b(?:guilty|disgusting|fat|huge|gross) (?:\w+ ){0,3}(?:when|whenever|after|every time) i eat\b|\bwhenever i eat (?:anything )?(?:i|so)\b"),
        (SafeguardingCategory.EatingDisorder, Tier.Strong, @"\b(?:throw|threw|throwing|bin|hide|hid|hiding) (?:my |the |al my )?(?:lunch|food|diner|meals?) (?:away|in my rom|in the bin)|\bpretend (?:i have |i |that i )?(?:eaten|ate|had lunch)|\bthink i (?:ate|have eaten|had)"),
        (SafeguardingCategory.EatingDisorder, Tier.Strong, @"\b(?:skip\w*|not eating|no) (?:\w+ ){0,3}(?:meals|lunch|diner|breakfast|food)\b.{0,60}\b(?:lose weight|thin|skiny|fat|weight)\b|\bso i (?:can be|am|wil be|get) (?:skiny|thin|thiner|skinier)\b"),
        (SafeguardingCategory.EatingDisorder, Tier.Strong, @"\b(?:i am|i am way|i am so|i am to|i fel) (?:to|so|way to) fat\b|\bweigh my ?self\b|\bburn it (?:al )?of\b|\bexercise for hours\b|\bfainted (?:\w+ ){0,6}(?:eaten|eat)\b|\bfeel (?:huge|fat|disgusting)\b"),
        (SafeguardingCategory.EatingDisorder, Tier.Strong, @"\b(?:threw up|throw up|throwing up|made my ?self sick|purged|skip\w*|not eat\w*|starv\w*)\b.{0,60}\b(?:lose weight|(?:would|wil|can|could|do not|dont) (?:lose|gain)|to lose weight|get thin|be skiny|be thin|not get fat|stay thin)\b"),
        (SafeguardingCategory.EatingDisorder, Tier.Personal, $@"{Me}(?:anorexi\w*|bulimi\w*|bulimea|eating disorder)"),
        (SafeguardingCategory.EatingDisorder, Tier.Topic, @"\b(?:anorexic|bulimic|bulimea)\b"),

        // Sexual abuse.
        (SafeguardingCategory.SexualAbuse, Tier.Strong, Cued(@"\b(?:touch\w*|tuch\w*|grop\w*|molest\w*|fondl\w*|fels?|fingered|rap\w*|forc\w*)\b", $@"{Actor} {Gap(4)}(?:touch\w*|tuch\w*|grop\w*|molest\w*|fondl\w*|feels? me up|fingered|rape|raped|rapes|raping|forced (?:him|her)self on|forces (?:him|her)self on) (?:me|my|on me)\b")),
        (SafeguardingCategory.SexualAbuse, Tier.Strong, @"\b(?:made|makes|make|making|forced|forces|forcing|force|got|gets|tried to make|tries to make|wants) me (?:to )?(?:\w+ ){0,2}(?:touch|watch (?:\w+ )?porn|take (?:of )?my clothes|clothes of|have sex|do sexual|sexual|suck|do (?:stuf|things|it) (?:to|with) (?:him|her)|kis (?:him|her))"),
        (SafeguardingCategory.SexualAbuse, Tier.Strong, $@"\b(?:i was|i got|i have ben|i am being|ben|being|he|she|they|someone|somebody) {Gap(3)}sexualy? (?:\w+ )?(?:abus|asault|harass|touch)\w*|\bsexualy (?:abus|asault|touch)\w* me\b"),
        (SafeguardingCategory.SexualAbuse, Tier.Strong, @"\b(?:i was|i got|i have ben|i am being|i was being|ben|got) (?:\w+ )?(?:raped|molested|groped|violated|sexualy asaulted)\b|\braped me\b"),
        (SafeguardingCategory.SexualAbuse, Tier.Strong, @"\b(?:comes|came|gets|got|climbs|creeps|sneaks) (?:in|into|in to) (?:my )?(?:rom|bed) (?:\w+ ){0,4}(?:at night|when|and)"),
        (SafeguardingCategory.SexualAbuse, Tier.Strong, @"\b(?:do|does|did|doing) (?:stuf|things|sexual things|sexual stuf) (?:to|with) me\b|\b(?:does|did|do) (?:things|stuf) (?:i|that i) (?:do not|did not) (?:like|want)"),
        (SafeguardingCategory.SexualAbuse, Tier.Strong, @"\b(?:touch\w*|tuch\w*|hands?|grab\w*|put|feel\w*|fel) (?:\w+ ){0,4}(?:private parts|privates|down there|my bits|my private|in my pants|down my (?:pants|knickers|trousers)|up my (?:skirt|top)|my (?:bobs|chest|bum|breasts))"),
        (SafeguardingCategory.SexualAbuse, Tier.Strong, @"\b(?:when|after|but|even though|although|and) i (?:said|say|told (?:him|her|them)) no\b|\btr(?:y|ies|ied) it on with me\b|\bkis\w* me like that\b|\bagainst my wil\b.{0,40}\b(?:sex|touch)"),
        (SafeguardingCategory.SexualAbuse, Tier.Strong, @"\b(?:it is a game|a special game|our game)\b.{0,60}\b(?:hurts|not alowed|secret|tel)\b"),

        // Grooming and sextortion.
        (SafeguardingCategory.Grooming, Tier.Topic, @"\b(?:nudes?|naked (?:pics?|photos?|pictures?|selfies?)|dick pics?|sexual (?:questions|pictures|photos|pics|messages)|on cam\b|video cal\w* (?:me )?naked|what i (?:was|am) wearing|without (?:my )?clothes|pics? of my body|pictures? of my body|photos? of my body)"),
        (SafeguardingCategory.Grooming, Tier.Strong, @"\b(?:sextort\w*|blackmail\w*) (?:me|my)\b|\b(?:i am|i was|i got|being|ben|am) (?:\w+ )?(?:sextorted|blackmailed)\b|\b(?:share|post|send|leak|show|sending|posting|sharing|leaking)\w* (?:\w+ ){0,2}(?:my|the|our) (?:\w+ )?(?:photos?|pics?|pictures?|nudes|videos?|images?)\b.{0,60}\b(?:unles|if i|to everyone|to my school|to my friends)|\bunles i (?:pay|send|give)|\b(?:threaten\w*|said (?:he|she|they)(?:wil|would)?) (?:to )?(?:post|share|send|leak) (?:them|it|my)"),
        (SafeguardingCategory.Grooming, Tier.Strong, @"\b(?:sent|send|sending) (?:a |some )?(?:pics?|pictures?|photos?|selfie|video)\b.{0,60}\b(?:money|pay|threaten\w*|want(?:s)? more|send more)"),
        (SafeguardingCategory.Grooming, Tier.Strong, @"\b(?:ask\w*|want\w*|keeps ask\w*|beg\w*|tel\w*|get|got|make|made) me (?:\w+ ){0,3}(?:send|for|to send|to show|show) (?:him |her |them )?(?:\w+ ){0,2}(?:pics?|photos?|pictures?|nudes|naked|body|video|selfies?|my body)"),
        (SafeguardingCategory.Grooming, Tier.Strong, @"\b(?:online|on (?:snapchat|snap|instagram|insta|tiktok|discord|fortnite|roblox|whatsapp|telegram|xbox|ps\d|minecraft|a game|the game|omegle)|from (?:instagram|insta|tiktok|snapchat|discord|online|the internet)|(?:online|gaming|internet) (?:friend|boyfriend|girlfriend|mate)|in my dms|(?:sliding|slid|slides) into my dms|randomer|stranger)\b.{0,100}\b(?:wants? to met|met up|meet up|meet me|mature for my age|not to tel|do not tel|can not tel|cant tel|our secret|special secret|secret|delete (?:our|the) (?:chats?|messages)|gifts?|robux|vbucks|v bucks|buys me|sends? me (?:\w+ )?(?:stuf|gifts|money|pics)|year old|years old|older|much older|\d\d\b|send (?:him|her|them)|video cal|his house|her house|sexual|photos?|pics?)"),
        (SafeguardingCategory.Grooming, Tier.Strong, @"\b(?:my gaming friend|my online friend|my online boyfriend|my online girlfriend|a man|a guy|an older (?:man|guy|boy)|an adult|a \d\d year old)\b.{0,80}\b(?:online|on (?:snapchat|instagram|tiktok|discord|fortnite|roblox|whatsapp|xbox))\b|\b(?:i )?(?:met|meet|meeting|talking to|chating to|chating with|talking with) (?:a man|a guy|someone|somebody|an older|a stranger)\b.{0,60}\b(?:online|instagram|tiktok|snapchat|discord|secret|older|much older|meet)"),
        (SafeguardingCategory.Grooming, Tier.Personal, $@"{Me}(?:nudes?|naked (?:pics?|photos?|pictures?|selfies?)|dick pics?|sexual (?:questions|pictures|photos|pics|messages)|on cam\b|video cal\w* (?:me )?naked|what i (?:was|am) wearing|without (?:my )?clothes|pics? of my body|pictures? of my body|photos? of my body)"),
        (SafeguardingCategory.Grooming, Tier.Strong, @"\b(?:send|share|post|show|leak) (?:the others|them|it|the pics|the photos|the pictures|the videos?|my pics|my photos) (?:to|on|with|around) (?:my|everyone|the|al)\b|\bsend (?:him |her |them )?more (?:pics|photos|pictures|videos)\b|\bdelete (?:our|the|al the|al our|al) (?:chats?|messages|texts|dms|conversations)\b"),
        (SafeguardingCategory.Grooming, Tier.Topic, @"\b(?:sextort\w*|blackmail\w*)"),
        (SafeguardingCategory.Grooming, Tier.Personal, $@"{Me}(?:groomed|being gromed|grooming)\b"),

        // Child sexual and criminal exploitation, county lines.
        (SafeguardingCategory.Exploitation, Tier.Strong, @"\b(?:made|makes|make|making|forced|forces|forcing|force|want|wants|told|tel|get|gets|got) (?:me|us) (?:to )?(?:\w+ ){0,2}(?:sel|deliver|cary|hold|steal|deal|drop|run|move|hide|sleep with|have sex with) (?:\w+ ){0,3}(?:drugs|wed|packages?|packiges|parcels|stuf|bags?|for them|for him|for money|men|a package|their friends|his friends|his mates)"),
        (SafeguardingCategory.Exploitation, Tier.Strong, @"\b(?:i have to|i had to|have to|had to|i must) (?:\w+ ){0,2}(?:sleep with|have sex with|work it of|pay (?:them|him) back|deliver|sel|cary|steal|deal|hold)\b"),
        (SafeguardingCategory.Exploitation, Tier.Strong, @"\b(?:men|they|people|he|older (?:men|guys)) (?:\w+ )?pay me (?:to|for)\b|\bsex (?:with (?:\w+ ){1,2})?for (?:money|cash|drugs)\b|\bfor money\b.{0,40}\bsex\b"),
        (SafeguardingCategory.Exploitation, Tier.Strong, @"\b(?:i owe (?:them|him|the olders)|owe them money|work it of|pay (?:it|them|him) back|they say i owe|said i owe|now i owe)\b"),
        (SafeguardingCategory.Exploitation, Tier.Strong, @"\b(?:sel\w*|deal\w*|deliver\w*|cary\w*|run\w*|hold\w*|moving) (?:\w+ ){0,2}(?:drugs|wed|crack|packages?|packiges|parcels|a line|county)\b"),
        (SafeguardingCategory.Exploitation, Tier.Strong, @"\b(?:my olders|for (?:some |the )?olders|for my olders|traping|trap house|going country|gone country|went country|run a line|runing a line|gave me a phone|the line phone|cuckoo\w*|plugging)\b"),
        (SafeguardingCategory.Exploitation, Tier.Strong, @"\b(?:sent|send|sends|took|take|takes) (?:me|us) (?:\w+ ){0,4}(?:to another (?:town|city)|out of town|to a flat|to a house|to a hotel|on trains?|to parties|to a party)\b|\b(?:kept|keep|keeps) me there\b|\bstuck in a (?:\w+ )?(?:house|flat)\b|\bcan not (?:get out|leave)\b"),
        (SafeguardingCategory.Exploitation, Tier.Strong, @"\bolder (?:men|guys|man|guy|boys|lads|lad|boy)\b.{0,80}\b(?:alcohol|vodka|drink|drugs|wed|car|party|flat|hotel|money|gifts|buys me|pick me up|picks me up|things for|his mates|his friends|their friends)\b|\bpases me (?:round|around)\b|\b(?:pass|share) me (?:round|around|with)\b"),
        (SafeguardingCategory.Exploitation, Tier.Strong, @"\b(?:get|got|am|being|geting|was|keep geting) sent (?:\w+ ){0,3}(?:out of town|to another|on trains?|country|to other towns)\b|\b(?:keep|stop) (?:dealing|seling|runing|delivering|holding)\b|\b(?:they|he|she|the olders) (?:wil|would|are going to|said they would|said they wil|threaten to) (?:hurt|kil|get|stab|come for) my (?:\w+ )?(?:family|mum|brother|sister|dad|nan)\b|\b(?:gave me|given me|i have|i got|i have got) a (?:burner|line phone|work phone)\b"),
        (SafeguardingCategory.Exploitation, Tier.Topic, @"\b(?:burner phone|county lines|trap house|cuckooing)\b"),
        (SafeguardingCategory.Exploitation, Tier.Personal, $@"{Me}(?:county lines|exploit\w*)\b"),

        // Domestic abuse the child lives with.
        (SafeguardingCategory.DomesticAbuse, Tier.Strong, Cued(@"\b(?:hit|hits|hiting|punch\w*|kick\w*|slap\w*|beat\w*|bets|bater\w*|lether\w*|smack\w*|chok\w*|strangl\w*|burn\w*|grab\w*|whip\w*|belt\w*|hurt\w*|knock\w*|shov\w*|bit|bites|atack\w*|stamp\w*|headbut\w*|thump\w*|wack\w*|whack\w*|lash\w*|cane\w*|spank\w*|clout\w*|twat\w*|lamp\w*|deck\w*|stab\w*)\b", $@"{Actor} {Gap(4)}{Hit} (?:my (?:mum|mom|mother|mam|dad|father|step ?mum|step ?dad|nan|gran)|her|him|each other|one another)\b(?! (?:with a pilow|up|(?:\w+ )?(?:ankle|leg|arm|knee|back|head|wrist|fot|fet|finger|felings|nose|self)))")),
        (SafeguardingCategory.DomesticAbuse, Tier.Strong, $@"\b(?:my )?(?:mum|mom|mother|mam|dad|father)s? (?:\w+ ){{0,2}}(?:boyfriend|partner|fela|husband|ex|girlfriend|wife)\b {Gap(4)}{Hit} (?:her|him|my (?:mum|mom|dad))"),
        (SafeguardingCategory.DomesticAbuse, Tier.Strong, @"\b(?:my )?(?:mum|mom|mother|mam)s? (?:has|had|got|with|has got) (?:a )?(?:black eye|bruises|broken)|\b(?:mum|mom|mother) (?:\w+ ){0,6}bruises\b.{0,60}\b(?:fel|heard)|\bwhat he (?:does|did) to (?:her|my mum)\b"),
        (SafeguardingCategory.DomesticAbuse, Tier.Strong, @"\b(?:police|the police|polise) (?:came|come|were called|was called|coming)\b.{0,60}\b(?:dad|mum|step ?dad|because|again|fight\w*)\b|\brefuge\b"),
        (SafeguardingCategory.DomesticAbuse, Tier.Strong, @"\b(?:scared|afraid|worried|terified) (?:that )?(?:my )?(?:dad|step ?dad|he|mum|mom) (?:wil|is going to|might|could|is gona) (?:kil|hurt|hit|beat) (?:my )?(?:mum|mom|her|dad|him)\b|\bmy (?:mum|mom|mother) is (?:scared|afraid|terified|frightened) of\b"),
        (SafeguardingCategory.DomesticAbuse, Tier.Strong, @"\b(?:do not|does not|will not|never) (?:let|lets) my (?:mum|mom|mother)\b|\bthreaten\w* my (?:mum|mom|mother|dad)\b|\b(?:shouting|screaming|fighting) and (?:smashing|hiting|throwing|breaking)\b|\bsmash\w* (?:stuf|things|plates|the house)\b"),
        (SafeguardingCategory.DomesticAbuse, Tier.Strong, @"\b(?:i hear|i can hear|i heard|hear them|heard them) (?:\w+ ){0,2}(?:screaming|fighting|shouting|hiting)\b|\bhide (?:under|in) (?:my|the) (?:bed|rom|wardrobe|cupboard) when\b|\bprotect my (?:\w+ )?(?:brother|sister|siblings|mum)\b|\bthrowing (?:things|stuf|plates)\b|\bkicks? of\b.{0,60}\b(?:mum|her|smash)"),
        (SafeguardingCategory.DomesticAbuse, Tier.Strong, @"\b(?:they|my parents|mum and dad|my mum and dad|my dad and mum)\b (?:\w+ ){0,3}(?:fight|fighting|argue|arguing|screaming)\b.{0,60}\b(?:hit|hits|hurt|hurts|throw|throwing|smash|police|bruise|black eye|scared|knife|choke|chokes)"),
        (SafeguardingCategory.DomesticAbuse, Tier.Strong, @"\b(?:threw|throws|pushed|pushes|shoved|shoves|dragged|drags|broke|breaks) (?:my (?:mum|mom|mother|dad|father)|her|him)(?: is)? (?:down|against|into|across|over|out|arm|nose|leg|wrist|ribs|jaw|finger)\b"),
        (SafeguardingCategory.DomesticAbuse, Tier.Personal, $@"{Me}domestic (?:abuse|violence)"),

        // Female genital mutilation.
        (SafeguardingCategory.Fgm, Tier.Strong, @"\b(?:be|get|being|geting|was|were|am|get me|have me|got|had me) cut\b(?! (?:my|of|short|from|out|down on|by|in (?:half|pe|two|pieces)|on|at|\w+ing))|\bcut me down there\b|\b(?:girls|women) (?:get|are|have been) cut\b|\bcut (?:her|them|the girls)\b.{0,60}\b(?:holidays|sumer|abroad|back home|ceremony|culture)"),
        (SafeguardingCategory.Fgm, Tier.Personal, @"\b(?:fgm|female genit\w* mutilat\w*|female circumcis\w*|khatna|khafd|gudniin|sunna for me|sunna on me|about sunna)\b.{0,60}\b(?:me|my|i|her)\b|\b(?:me|my|i am|i)\b.{0,60}\b(?:fgm|female genit\w* mutilat\w*|female circumcis\w*|khatna|khafd)\b"),
        (SafeguardingCategory.Fgm, Tier.Strong, @"\b(?:be|get|being|geting|was|am|have me|get me) (?:\w+ )?(?:circumcised|mutilated)\b|\b(?:a|the) cuter (?:is )?coming\b|\bcuter is coming\b|\bthe cuting\b|\bmade clean\b|\bmake me (?:pure|clean)\b|\b(?:special |a )?ceremony\b.{0,60}\b(?:become a woman|hurt|cut|girls)|\bbecome a woman\b.{0,40}\bhurt|\b(?:had|have|get|geting|having|got) it done\b.{0,60}\b(?:cut|next|my turn|culture|aunt|grandma|summer|holiday|abroad|back home|to me|to her|to them)|\bgirls get cut\b|\bget done before\b"),
        (SafeguardingCategory.Fgm, Tier.Topic, @"\b(?:fgm|female genit\w* mutilat\w*|female circumcision|khatna|mutilat\w*|circumcis\w*)\b"),

        // Forced marriage.
        (SafeguardingCategory.ForcedMarriage, Tier.Strong, @"\b(?:(?:forc\w*|fors\w*) (?:me|us)|(?:i am|i was|am|being|ben|i have ben|they are|she is|we are|was) (?:\w+ )?(?:forc\w*|fors\w*)|aranged for me to) (?:\w+ ){0,4}(?:mary|maried|mared|marage|mariage|wedding|husband|wife)\b|\bmaried of\b|\bpromised to (?:his|a|an|my|some|this|their) (?:\w+ )?(?:son|man|cousin|nephew|boy|guy|family)\b|\brishta (?:for|on) me\b|\bsorted (?:\w+ )?rishta\b|\bwedding\b.{0,40}\b(?:it is mine|is mine|my own)\b|\b(?:make|makes|making|made) me (?:\w+ ){0,2}(?:mary|get maried|get mared|be maried)\b"),
        (SafeguardingCategory.ForcedMarriage, Tier.Strong, @"\b(?:mary|maried|mared|marage|mariage|wedding|engaged|husband|wife|rishta)\b.{0,80}\b(?:against my wil|do not want|dont want|never said yes|never met|without (?:being )?asked|refuse|scared|make me|making me|only \d+|not even \d+|old man|older man|twice my age|shame|disown|pasport|not his daughter|not her daughter|hurt me|kil me)\b"),
        (SafeguardingCategory.ForcedMarriage, Tier.Strong, @"\b(?:against my wil|do not want to|dont want to|never said yes|refuse|scared|not even \d+|only \d+)\b.{0,80}\b(?:mary|maried|get maried|marage|mariage|wedding|husband)\b"),
        (SafeguardingCategory.ForcedMarriage, Tier.Strong, @"\b(?:found|picked|chosen|chose) (?:a )?(?:husband|wife) for me\b|\bmy (?:future )?husband\b|\b(?:took|taken|take|has|kept) my pasport\b|\b(?:maried|mary|marying) me of\b|\b(?:i have to|i must|i wil have to|they want me to|want me to|wants me to|i am going to have to) (?:\w+ ){0,2}(?:mary|get maried|be maried)\b|\bmary (?:a man|someone|a woman|a girl) i have never met\b"),
        (SafeguardingCategory.ForcedMarriage, Tier.Topic, @"\bforced? (?:into a |into |to )?mariage\b"),

        // Radicalisation and extremism.
        (SafeguardingCategory.Radicalisation, Tier.Strong, @"\b(?:join|joining|joined) (?:isis|daesh|al qaeda|the taliban|(?:a|the) (?:terorist|terror|extremist|far right|nazi|neo nazi|jihadi)\w*|the far right|far right|national action|the (?:fight|cause|jihad|jihadis)|jihad)\b"),
        (SafeguardingCategory.Radicalisation, Tier.Strong, @"\b(?:i|we|i am going to|i want to|we should|we need to|we must|lets|let us|should|to)\b (?:\w+ ){0,3}(?:kil|kiled|kiling|wipe out|wiped out|atack|atacked|blow up|shoot up|bomb|gas|bater|hurt|get rid of|exterminat\w*|deport|burn) (?:al )?(?:the )?(?:muslims|jews|jewish people|immigrants|migrants|asylum seekers|refugees|blacks|black people|white people|people who are not white|people who are not|gays|gay people|infidels|kafir|kufar|women|christians|hindus|sikhs|foreigners|mosque|the mosque|synagogue|church|my schol|the schol|people)\b"),
        (SafeguardingCategory.Radicalisation, Tier.Strong, @"\b(?:muslims|jews|immigrants|migrants|asylum seekers|refugees|blacks|black people|white people|gays|infidels|foreigners|women|they|them)\b (?:\w+ ){0,2}(?:should|must|need to|deserve to|have to) (?:be |al be |al )?(?:kiled|die|wiped out|deported|burn|burned|exterminated|gased|atacked|shot)\b"),
        (SafeguardingCategory.Radicalisation, Tier.Strong, @"\bwe (?:need|have|should|must|got|ned) (?:to )?(?:kil|atack|fight|hurt|wipe out|get rid of|start a war)\b|\b(?:start a race war|die fighting|fight for the cause|for the cause|white power|our race|white race|protect our (?:race|people)|violence is the (?:only )?(?:answer|way)|become a martyr|be a martyr)\b"),
        (SafeguardingCategory.Radicalisation, Tier.Strong, @"\b(?:make|making|made|build|building|instructions for|how to make) (?:a |an |some )?(?:bomb|bombs|explosives?|pipe bomb|ied)\b|\b(?:plan\w*|help (?:them|us|with)|want to do|do) (?:an |another )?(?:atack|atacks|shooting|bombing)\b|\bhelp (?:them|us) (?:atack|bomb|kil|fight)\b|\bshoot up (?:my|the|a|our) (?:schol|clas|mosque|church|synagogue|place)\b|\b(?:go|going|travel|get) to (?:syria|iraq)\b|\bspread (?:their |the |his )?propaganda\b|\brecruit (?:people|me|others)\b"),
        (SafeguardingCategory.Radicalisation, Tier.Strong, $@"\b(?:watching|watch|watched|sent me|showing me|shows me) (?:\w+ ){{0,2}}(?:videos?|clips?) (?:of|about) (?:\w+ )?(?:atacks|shootings|bombings|beheadings|terorists|kilings|massacres)\b|\b(?:talked|talk|talking|said|says|saying|told me|tel me|videos?|meeting|group|chat) (?:\w+ ){{0,3}}(?:kil|kiling|kiled|wipe out|wiping out|atack|atacking|get rid of|geting rid of|hurting|exterminat\w*) (?:al )?(?:the )?{RadicalTargets}\b|\b(?:far right|extremist|terorist|isis|nazi)\b.{{0,60}}\b(?:wants? me to|asked me to|get me to|invited me to) join\b|\b(?:wants? me to|asked me to|get me to|invited me to|i want to|i am going to|i wil) join\b.{{0,60}}\b(?:far right|extremist|terorist|isis|nazi)"),
        (SafeguardingCategory.Radicalisation, Tier.Personal, $@"{Me}(?:terorist\w*|extremis\w*|isis|jihad\w*|far right|incel\w*|nazi\w*|atacks|manifesto|propaganda)\b"),
        (SafeguardingCategory.Radicalisation, Tier.Topic, @"\b(?:terorist|terorism|extremis\w*|radicali[sz]\w*|jihad|martyr\w*|infidels|kufar|manifesto|holy war|race war|great replacement)\b"),

        // Serious violence, gangs and knife crime.
        (SafeguardingCategory.SeriousViolence, Tier.Personal, $@"\b(?:i|i am|i have|i wil|i want to|i carry|i have got|me|my) {Gap(3)}(?:a |my |the )?(?:knife|nife|knives|blade|machete|shank|gun|strap|weapon|zombie knife|rambo)\b"),
        (SafeguardingCategory.SeriousViolence, Tier.Strong, @"\b(?:stab|shank|slash|knife|cut up|ride on) (?:me|him|them|us)\b|\b(?:gona|going to|wil|want to|wants to|said (?:they|he)\w* wil|threaten\w*|try to|tried to|trying to) (?:\w+ ){0,2}(?:stab|shank|shoot|slash|jump|knife) (?:me|him|them|us|you)\b"),
        (SafeguardingCategory.SeriousViolence, Tier.Strong, @"\b(?:got|get|geting|was|been|being|were) (?:\w+ )?(?:stabed|shot|slashed|jumped|shanked|robed at knifepoint)\b|\b(?:knifepoint|gunpoint)\b|\bpuled a (?:knife|gun|blade|nife) (?:on|at) (?:me|us)\b|\bthreatened (?:me |us )?with a (?:knife|gun|machete|blade|nife)\b"),
        (SafeguardingCategory.SeriousViolence, Tier.Strong, @"\b(?:the opps|opps are|ops are|strapped\b(?! for)|in a gang|the gang|a gang)\b.{0,80}\b(?:after me|for me|looking for me|threaten\w*|kil me|hurt me|make me|weapons|blades|knives|guns|fight)\b|\b(?:a gang|gang|the gang|they|people) (?:is |are )?(?:after me|looking for me|threatening to kil me|threatening me)\b|\bi am strapped\b|\bi am in a gang\b"),
        (SafeguardingCategory.SeriousViolence, Tier.Strong, @"\b(?:bring|take|taking|bringing|hide|hiding) (?:a|my|his|the) (?:knife|blade|gun|weapon|nife|machete) (?:to schol|to the fight|for protection|on me|out|everywhere|with me|because|for them|for him)\b|\bhide (?:a|the|his) (?:gun|knife|blade|weapon)\b|\b(?:they|he|she) (?:have got|have|has|got) (?:weapons|blades|knives|guns|a knife|a gun)\b|\bgun (?:under|in|at) (?:his|my|our|their|the)\b|\bthere is a gun\b|\bknow where i live\b"),
        (SafeguardingCategory.SeriousViolence, Tier.Topic, @"\b(?:knife crime|stabing|gang violence|shooting)\b"),

        // Physical abuse.
        (SafeguardingCategory.PhysicalAbuse, Tier.Strong, Cued(@"\b(?:hit|hits|hiting|punch\w*|kick\w*|slap\w*|beat\w*|bets|bater\w*|lether\w*|smack\w*|chok\w*|strangl\w*|burn\w*|grab\w*|whip\w*|belt\w*|hurt\w*|knock\w*|shov\w*|bit|bites|atack\w*|stamp\w*|headbut\w*|thump\w*|wack\w*|whack\w*|lash\w*|cane\w*|spank\w*|clout\w*|twat\w*|lamp\w*|deck\w*|stab\w*)\b", $@"{Actor} {Gap(4)}{Hit} (?:is )?me\b(?! (?:of|out|up with|at (?:fifa|chess|fotbal|tenis|games?|\w+ing)|in (?:a|the) (?:race|game|match|quiz)|to it|to the)\b)")),
        (SafeguardingCategory.PhysicalAbuse, Tier.Strong, @"\b(?:push\w*|shov\w*|threw|throws|drag\w*) me (?:down|over|into|against|of|out of|across|by|along|up the|down the)\b"),
        (SafeguardingCategory.PhysicalAbuse, Tier.Strong, Cued(@"\b(?:bruise\w*|black eye|marks|burns|welts|scars|cuts)\b", $@"\b(?:bruises?|bruised|black eye|marks|burns|welts|scars|cuts) {Gap(6)}(?:from|because of|off|by) {Actor}")),
        (SafeguardingCategory.PhysicalAbuse, Tier.Strong, Cued(@"\b(?:hurt|hit|beat|bater|punch|kick|belt)\b", $@"{Actor} {Gap(3)}(?:wil|is going to|would|gona|wil just) (?:\w+ )?(?:hurt|hit|beat|bater|punch|kick|belt) me\b")),
        (SafeguardingCategory.PhysicalAbuse, Tier.Strong, @"\bi (?:get|got|was|am|have ben|ben|keep geting) (?:\w+ )?(?:hit|beaten|batered|punched|kicked|slaped|smacked|whiped|belted|burnt|burned|hurt|choked|strangled|leathered) (?:at home|by (?:my|him|her|them)|when i)"),
        (SafeguardingCategory.PhysicalAbuse, Tier.Strong, @"\b(?:have to|had to|made me|told me to|pretend|pretended|lied|lie) (?:\w+ ){0,3}(?:i|that i) (?:fel|walked into|triped|sliped|bumped)\b|\bbut it was (?:realy |actualy )?(?:my|him|her)\b"),
        (SafeguardingCategory.PhysicalAbuse, Tier.Strong, Cued(@"\b(?:threw|throw\w*|violent|rough|physical|bruises|marks)\b", $@"\bthr(?:ew|ows?|owing) (?:\w+ ){{1,2}}at me\b|{Actor} {Gap(3)}(?:gets?|is|was|got) (?:realy |so )?(?:violent|rough|physical) with me\b|\b(?:long sleves|cover up|hide|hiding) (?:\w+ ){{0,4}}(?:bruises|marks)\b")),
        (SafeguardingCategory.PhysicalAbuse, Tier.Strong, @"\b(?:beat|beats|beaten|batered|bets|leathers) me\b(?! (?:at|in (?:a|the) (?:race|game|match|quiz)|to it|to the)\b)|\bknocks me about\b"),

        // Emotional abuse.
        (SafeguardingCategory.EmotionalAbuse, Tier.Strong, Cued(@"\b(?:worthles\w*|woth\w*|useles\w*|stupid|mistake|waste|waist|pathetic|failure|disapointment|ugly|fat|thick|retard\w*|idiot|dumb|loser|burden|acident|born|wants|loves|love|go away|ruin\w*|worst|disgrace|nothing|left|hates?|hated)\b", $@"{Actor} {Gap(6)}(?:says?|said|tels?|told|cal|cals|caled|caling|keeps? (?:saying|caling|teling)|saying|teling|scream\w*|shout\w*|yel\w*) (?:at me )?{Gap(5)}(?:(?:me|i|am|i am|i was|im)\b (?:\w+ ){{0,2}}{Insult}|(?:she|he|they) (?:hates?|hated) me)\b")),
        (SafeguardingCategory.EmotionalAbuse, Tier.Strong, @"\b(?:feel|made me feel|makes me feel|make me feel) like (?:i am )?(?:nothing|worthles|rubish|dirt|a burden)\b|\bwish(?:es|ed)? (?:she|he|they) (?:had )?(?:never had me|aborted me)\b|\b(?:aborted|abort) me\b|\bnever (?:ben )?born\b"),
        (SafeguardingCategory.EmotionalAbuse, Tier.Strong, Cued(@"\b(?:threaten\w*|care|away)\b", $@"{Actor} {Gap(3)}(?:threaten\w*|threatens) (?:to )?{Gap(3)}(?:send me away|put me in care|throw me out|kick me out|hurt my|kil my|leave me|give me away|get rid of me)|\b(?:put|send|sending|putting) me (?:in|into) care\b|\bsend me away\b")),
        (SafeguardingCategory.EmotionalAbuse, Tier.Strong, @"\b(?:ignore|ignores|ignored|ignoring|wil not talk to|wil not speak to|do not talk to|does not talk to|not talk to|silent treatment)\b (?:me|us)? ?(?:\w+ ){0,3}(?:for (?:days|weks|hours|a wek)|as (?:a )?punishment|like i do not exist)|\blike i do not exist\b"),
        (SafeguardingCategory.EmotionalAbuse, Tier.Strong, @"\b(?:shout\w*|scream\w*|yel\w*) at (?:\w+ ){0,3}(?:al the time|every day|for hours|constantly|every night|nonstop|non stop)\b|\b(?:not alowed|never alowed) (?:to )?(?:se my friends|leave my rom|leave the house|go out)\b|\block\w* me in (?:my rom|the|a|my)\b"),
        (SafeguardingCategory.EmotionalAbuse, Tier.Strong, Cued(@"\b(?:put me down|puts me down|humil\w*|slaging|muging|beltl\w*|caled names|insult me)\b", @"\b(?:at home|my (?:mum|dad|mom|parents|family|step ?dad|step ?mum|stepmother|carer))\b.{0,80}\b(?:put me down|puts me down|humil\w* me|humilates?|slaging me of|muging me of|beltl\w* me|caled names|get caled names|geting caled names|insult me)\b")),
        (SafeguardingCategory.EmotionalAbuse, Tier.Strong, Cued(@"\b(?:put me down|puts me down|humil\w*|slaging|muging|beltl\w*|caled names)\b", @"\b(?:put me down|puts me down|humil\w* me|humilates?|slaging me of|muging me of|beltl\w* me|caled names|get caled names|geting caled names)\b.{0,80}\b(?:at home|my (?:mum|dad|mom|parents|family|step ?dad|step ?mum|carer))\b")),

        // Neglect.
        (SafeguardingCategory.Neglect, Tier.Strong, @"\b(?:never|no|not any|not enough|hardly any|nothing|never any|never enough|not got any|not have any|no proper|is not any)\b {0,1}(?:\w+ ){0,2}(?:fod|scran|diner|tea|meals?|breakfast|to eat|anything to eat)\b"),
        (SafeguardingCategory.Neglect, Tier.Strong, @"\b(?:always|constantly) hungry\b|\bhungry al the time\b|\b(?:have not|has not|had not) (?:had|eaten) (?:a |any )?(?:proper )?(?:meal|fod|diner|anything)\b|\bdid not (?:have|get|eat) (?:anything|any fod|diner|tea|breakfast)\b|\bdid not eat (?:al|for|since)\b|\bonly (?:fod|meal) i (?:get|have|eat)\b"),
        (SafeguardingCategory.Neglect, Tier.Strong, @"\b(?:left|leaves|leave|leaving|leaved) (?:me|us|me and my (?:\w+ ){1,2}|my (?:\w+ )?(?:brother|sister) and me) (?:\w+ ){0,4}(?:alone|on (?:my|our) own|by my ?self|by ourselves|home alone|for days|al wekend|al night|overnight|to lok after)\b|\bhome alone\b|\bon (?:my|our) own for days\b"),
        (SafeguardingCategory.Neglect, Tier.Strong, @"\b(?:lok|loks|loking|loked) after (?:my ?self|my (?:\w+ )?(?:brother|sister|brothers|sisters|siblings))\b|\bfeeds? (?:my ?self|my (?:\w+ )?(?:brother|sister))\b|\b(?:get|got|geting) (?:my ?self|me) (?:and my (?:\w+ )?)?ready\b|\bsort (?:my ?self|me) out\b|\bfend for my ?self\b"),
        (SafeguardingCategory.Neglect, Tier.Strong, @"\b(?:no|not any|not got|not have|no hot|never any|never have|not got no|got no|have not got)\b (?:\w+ ){0,1}(?:heating|electricity|electric|electrisity|hot water|gas|bed|beds|clean clothes|money for fod)\b|\bslep on the flor\b|\bsleep on the flor\b"),
        (SafeguardingCategory.Neglect, Tier.Strong, @"\b(?:clothes|shoes|uniform) (?:\w+ ){0,3}(?:to smal|dirty|holes|smel|riped)\b|\b(?:nobody|no one|noone) (?:\w+ )?(?:washes|cleans|feds|feeds|loks after|takes care of|cares for|cares about) (?:me|us|my)\b|\b(?:does not|do not|never|wil not|dosent) (?:wash|fed|feed|clean|buy|give me) (?:\w+ ){0,3}(?:clothes|cloths|diner|fod|shoes|me)\b"),
        (SafeguardingCategory.Neglect, Tier.Strong, @"\bmy (?:\w+ )?(?:mum|dad|mom|parents|mother|father|step ?dad|mam|mums|dads) (?:\w+ ){0,2}(?:is |are )?(?:always |to |so )?(?:drunk|drinks (?:al|every|to)|drinking (?:al|every)|of (?:her|his|their) face|out of it|pased out|high|stoned|wasted|on drugs|smashed)\b|\b(?:to|so) drunk to\b|\bpased out on the sofa\b"),
        (SafeguardingCategory.Neglect, Tier.Strong, @"\b(?:do not|does not|never|wil not|did not) (?:take|took) me to (?:the )?(?:doctor|doctors|dentist|hospital)\b|\b(?:nobody|no one|noone) (?:at home )?(?:notices|cares|notice)\w* (?:if|when|whether) i\b|\bnobody loks after me\b|\bforgets about (?:me|us)\b"),

        // Homelessness.
        (SafeguardingCategory.Homelessness, Tier.Strong, @"\b(?:nowhere|no where|nowere|not anywhere|nowhere else) to (?:slep|live|stay|go|sleep)\b|\bno (?:gaf|home|place) to (?:go|stay|slep|sleep|live)\b|\bno gaf\b|\b(?:not have|not got|have not got) (?:anywhere|a place|a home) to (?:stay|slep|sleep|go|live)\b|\bno home\b"),
        (SafeguardingCategory.Homelessness, Tier.Strong, @"\b(?:(?:kick|kicked|chuck|chucked|throw|thrown|threw|boted|kicks|kicking|chucking|throwing|throws) (?:me|us) out|(?:got|get|been|ben|was|were|am|being|geting) (?:kicked|chucked|thrown|boted) out)\b(?! of (?:clas|the lesson|the game|the group|the team|the chat))|\btold (?:me )?to leave and (?:not|never) come back\b|\bif i (?:come|go) (?:back|home)\b.{0,30}\b(?:kil|hurt|beat|hit)"),
        (SafeguardingCategory.Homelessness, Tier.Strong, @"\b(?:slept|slep|sleeping|sleepin|slepin|staying|living|stayed|lived) (?:\w+ ){0,2}(?:in|on|at|rough in) (?:the |a |our |my friend is |a friend is )?(?:park|streets?|streat|bench|stairwel|station|car|bus station|shed|van|tent|hostel|b and b|b and b in one rom|garage|doorway)\b|\bsleeping rough\b|\b(?:spent|spend|spending|slept|sleep) (?:the|a|last) night (?:\w+ ){0,2}(?:on|in|at|under) (?:a|the) (?:bench|park|stret|streets|station|stairwel|bus stop|bus shelter|doorway|car|bridge)\b|\bslep\w* rough\b|\bsofa surf\w*|\bdosing\b|\b(?:sleep|slep) on (?:diferent|other) (?:people is )?sofas\b"),
        (SafeguardingCategory.Homelessness, Tier.Strong, @"\bi (?:\w+ )?(?:ran|run|have run|am runing|runaway|have ran) (?:away )?(?:from home)?\b|\bcan not go (?:back )?home\b|\b(?:leave|leaving) our house\b.{0,60}\bnot have anywhere"),
        (SafeguardingCategory.Homelessness, Tier.Personal, $@"{Me}(?:homeles\w*|homles\w*|evicted)"),
        (SafeguardingCategory.Homelessness, Tier.Topic, @"\bhomeles\w*\b"),

        // Bullying and cyberbullying.
        (SafeguardingCategory.Bullying, Tier.Strong, $@"\bi (?:am |was |have ben |keep |get |got |fel |am stil |am geting |am being |think i am |think i am being )?{Gap(1)}(?:being |geting |ben )?(?:buli\w*|cyber ?buli\w*|picked on)\b|\bbul(?:y|ies|ying) me\b|\bpick\w* on me\b"),
        (SafeguardingCategory.Bullying, Tier.Strong, @"\b(?:they|people|everyone|everybody|kids|girls|boys|a girl|a boy|someone|the bulies|students|a group|lads|some boys|some girls|some kids)\b (?:\w+ ){0,4}(?:laugh\w* at me|make fun of me|makes fun of me|making fun of me|(?:cal|cals|caling|caled) me (?:names|\w+ names|an? |gay|fat|ugly|stupid|weird|horible|nasty|a slag|a slut|a freak)|hating on me|hate on me|threaten\w* me|push\w* me|jump\w* me|spread\w* rumou?rs|exclud\w* me|leave me out|left me out|ignore me|ignores me|roast\w* me|mean to me|triped me|spit on me|took my|take my|steal my|stole my|filmed me|post\w* (?:\w+ ){0,3}(?:of|about) me|beat me up|bet me up|sending me (?:nasty|horible|mean)|sent me (?:nasty|horible|mean)|tel\w* me to (?:kil my ?self|kys|die))"),
        (SafeguardingCategory.Bullying, Tier.Strong, @"\b(?:nobody|no one) (?:wil |wants to )?(?:sit|talk|play|hang out) with me\b|\b(?:have|got) no friends\b|\bfake (?:account|profile|acount) (?:of|about) me\b|\bput it on (?:tiktok|snapchat|instagram|insta|youtube)\b|\bgroup chat\b.{0,60}\b(?:about me|hating|caling me|roasting|me out|laugh)|\blunch in the toilets\b|\bso (?:they|the bulies) (?:can not|cant) find me\b|\bpretend (?:to be|i am) (?:sick|il) so i (?:do not|dont) have to go\b|\b(?:scared|afraid|terified) (?:to go|of going) to schol\b|\bthe bulies\b|\bcaled names\b|\bhorible things about (?:me|my)\b|\beveryone (?:hates|laughs at) me\b|\bname caling\b|\bmakes? fun of me\b|\bthreatening me\b"),

        // Abuse whose kind the words do not say; secrets and fear at home.
        (SafeguardingCategory.Abuse, Tier.Strong, @"\babus\w* me\b|\b(?:being|ben|am|was) abused\b|\bnot safe (?:at home|at my|with my|around my|when my)\b|\bdo not feel safe\b|\b(?:scared|afraid|frightened|terified) (?:to go|of going) (?:back )?home\b"),
        (SafeguardingCategory.Abuse, Tier.Strong, Cued(@"\b(?:scared|afraid|frightened|terified)\b", $@"\b(?:scared|afraid|frightened|terified) (?:of|to be around|to be alone with) {Actor}\b(?! (?:dog|spiders?|the dark|heights))")),
        (SafeguardingCategory.Abuse, Tier.Strong, @"\bour (?:litle |special )?secret\b|\b(?:not|never) (?:alowed )?to tel (?:anyone|anybody|my mum|my dad|my parents|no one|the teacher)\b|\b(?:get|be) in trouble if i (?:tel|told|say|said)\b|\b(?:said|says|told me) (?:\w+ ){0,3}(?:not to tel|do not tel|never tel|keep it (?:a )?secret)\b|\bkeep secrets? about\b|\bi am not alowed to tel\b"),
    ];

    private static readonly Lazy<(SafeguardingCategory Category, Tier Tier, Regex? Cue, Regex Regex)[]> Compiled = new(() =>
        [.. Rules.Select(rule => rule.Pattern.Split(CueMark) is [_, var cue, var pattern]
            ? (rule.Category, rule.Tier, Compile(cue), Compile(pattern))
            : (rule.Category, rule.Tier, (Regex?)null, Compile(rule.Pattern)))]);

    /// <summary>
    /// A rule that only runs when <paramref name="cue"/> (a plain word list the engine finds fast) occurs in the text:
    /// the person-then-verb rules are the costly ones on long messages, and they need one of their verbs to match.
    /// </summary>
    private static string Cued(string cue, string pattern) => $"{CueMark}{cue}{CueMark}{pattern}";

    private const char CueMark = '\u0001';

    // A question or a message about school work, a policy or the news: topic words there are not a disclosure.
    private static readonly Regex QuestionFrame = Compile(
        @"^ (?:what|whats|what is|who|whos|where|when|which|why|how|is there|are there|is it|is the|is this|are|do you|do they|does|did|can you|could you|can i find|wil|tel me|explain|define|describe|list|give me|help me with|i ned help with|in (?:history|english|re|pshe|science|geography|drama|citizenship|biology|clas|asembly)|for (?:my|our) (?:homework|essay|project|coursework|asignment))\b");

    private static readonly Regex AboutSchoolWork = Compile(
        @"\b(?:policy|policies|procedure|leson|lesons|asembly|asemblies|pshe|rse|citizenship|awarenes|prevention|training|homework|essay|coursework|project|poster|quiz|definition|define|meaning|mean|means|history|geography|english|science|biology|drama|news|documentary|book|novel|film|movie|poem|song|story|character|topic|article|research|statistics|the schol|your schol|our schol|staf|curiculum|a talk|the talk|talks|campaign|charity|fundraiser|in clas|our clas|for clas|in re|revision|revise|ambasador|scheme|designated|safeguarding|website|law|legal|government|signs of|symptoms of|how to spot|warning signs|what to do if|discus\w*|studying|learning about|we learned|we did a leson|for our)\b");

    // A game or a play fight is the subject, not a child's life.
    private static readonly Regex GameOrPlay = Compile(
        @"\b(?:minecraft|fortnite|roblox|gta|cal of duty|among us|fifa|video game|the game|in game|pilow|as a joke|joking|play fight\w*|by acident|acidentaly|mesing (?:about|around)|muking about)\b");

    private static readonly Regex RiskCue = Compile(
        @"\b(?:hurt\w*|hit\w*|beat\w*|kick\w*|punch\w*|slap\w*|scared|afraid|frightened|terified|safe|unsafe|die|dying|dead|death|kil\w*|suicid\w*|harm\w*|cut\w*|blod|bled\w*|pils|tablets|hate|alone|nobody|no one|hungry|fod|eat\w*|starv\w*|fat|thin|weight|sick|bul\w*|laugh\w*|names|home|house|slep\w*|stret\w*|out|touch\w*|secret\w*|tel|told|photos?|pics?|nudes?|online|older|money|owe|drugs|package|knife|gun|gang|stab\w*|mary|maried|wedding|ceremony|abroad|atack\w*|bomb\w*|join|shout\w*|scream\w*|drunk|police|bruis\w*|marks|threat\w*|worthles\w*|useles\w*|burden|gone|end|point|pain|cry\w*|depres\w*|lonely|forced|made me|makes me|make me|wants me|anymore|help)\b");

    private static readonly Regex Idiom = Compile(
        @"\b(?:die|dying|died) (?:of|from) (?:embarasment|boredom|laughing|laughter|cringe|shame|thirst|hunger|excitement)\b|\bdie laughing\b|\bdie if i (?:do not|dont) get\b");

    private static readonly string[] Subjects = ["i", "he", "she", "they", "we", "my", "someone", "somebody", "people", "everyone"];

    private static readonly HashSet<string> Negators = new(StringComparer.Ordinal) { "not", "never", "no", "nobody", "noone" };

    private static readonly HashSet<string> NegationBreaks = new(StringComparer.Ordinal)
    {
        "stop", "help", "but", "and", "because", "so", "if", "anymore", "though", "sure", "know", "think", "want",
    };

    /// <summary>The first escalation the patterns find in <paramref name="message"/>, or null.</summary>
    public static SafeguardingVerdict.Escalated? Match(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var text = DisclosureText.CanonicalSentences(message);
        if (text.Length <= 2)
        {
            return null;
        }

        var question = Safe(() => QuestionFrame.IsMatch(text));
        var schoolWork = Safe(() => AboutSchoolWork.IsMatch(text));
        var game = Safe(() => GameOrPlay.IsMatch(text));
        var idioms = Idiom.Matches(text);
        foreach (var tier in (Tier[])[Tier.Strong, Tier.Personal, Tier.Topic])
        {
            if ((tier == Tier.Personal && schoolWork) || (tier == Tier.Topic && (schoolWork || question)))
            {
                continue;
            }

            foreach (var (category, ruleTier, cue, regex) in Compiled.Value)
            {
                if (ruleTier != tier || (game && category is SafeguardingCategory.SeriousViolence or SafeguardingCategory.Radicalisation
                    or SafeguardingCategory.PhysicalAbuse or SafeguardingCategory.DomesticAbuse))
                {
                    continue;
                }

                if (cue is not null && !Safe(() => cue.IsMatch(text), onTimeout: true))
                {
                    continue;
                }

                if (FirstStanding(regex, text, idioms) is { } phrase)
                {
                    return new SafeguardingVerdict.Escalated(category, phrase, SafeguardingLayer.Patterns);
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Whether a message the patterns cleared still carries a word of risk worth a closer look by the slower layers
    /// (embeddings, model): a statement, not a question or school work, that mentions harm, fear, home, food, the
    /// body, secrets, strangers, money, weapons or feeling low.
    /// </summary>
    public static bool HasRiskCue(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var text = DisclosureText.Canonical(message);
        return Safe(() => RiskCue.IsMatch(text), onTimeout: true) && !Safe(() => QuestionFrame.IsMatch(text)) && !Safe(() => AboutSchoolWork.IsMatch(text));
    }

    /// <summary>
    /// Whether a default-lexicon phrase found in <paramref name="message"/> is dismissed by the same guards as a
    /// pattern: negated where it stands ("i would never kill myself"), part of an idiom, or a game or play fight.
    /// </summary>
    public static bool Dismisses(string message, SafeguardingVerdict.Escalated verdict)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(verdict);
        var text = DisclosureText.Canonical(message);
        if (verdict.Category is SafeguardingCategory.PhysicalAbuse or SafeguardingCategory.DomesticAbuse && GameOrPlay.IsMatch(text))
        {
            return true;
        }

        var phrase = DisclosureText.Canonical(verdict.Phrase);
        var index = text.IndexOf(phrase, StringComparison.Ordinal);
        if (index < 0)
        {
            return false; // Spelled with tricks the trie sees through: nothing to weigh, so it stands.
        }

        var end = index + phrase.Length;
        // "my mum kicked me off the xbox", "he kicked me out": the lexicon's "kicked me" with a harmless particle.
        if (verdict.Category == SafeguardingCategory.PhysicalAbuse && text.AsSpan(end).StartsWith("of ", StringComparison.Ordinal))
        {
            return true;
        }

        return IsNegated(text, index + 1) || Idiom.Matches(text).Any(idiom => idiom.Index < end && index < idiom.Index + idiom.Length);
    }

    /// <summary>The source pattern of rule <paramref name="rule"/> (for the profile).</summary>
    internal static string RulePattern(int rule) => Rules[rule].Pattern;

    /// <summary>Milliseconds each rule takes on <paramref name="message"/> (a profiling aid for the benchmark).</summary>
    internal static IEnumerable<(int Rule, SafeguardingCategory Category, double Milliseconds)> Profile(string message)
    {
        var text = DisclosureText.CanonicalSentences(message);
        var rules = Compiled.Value;
        for (var i = 0; i < rules.Length; i++)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            _ = Safe(() => (rules[i].Cue?.IsMatch(text) ?? true) && rules[i].Regex.IsMatch(text));
            yield return (i, rules[i].Category, System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>Whether the words at <paramref name="index"/> of canonical text are negated ("i am not …", "i would never …").</summary>
    internal static bool IsNegated(string text, int index)
    {
        // A match that starts with its own subject ("they will hurt my brother") starts a clause: a "not" before it
        // belongs to the clause before ("if i do not keep dealing").
        var next = text.AsSpan(index).TrimStart(' ');
        foreach (var subject in Subjects)
        {
            if (next.StartsWith(subject, StringComparison.Ordinal) && next.Length > subject.Length && next[subject.Length] == ' ')
            {
                return false;
            }
        }

        var before = text[..index].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var i = before.Length - 1; i >= Math.Max(0, before.Length - 3); i--)
        {
            if (NegationBreaks.Contains(before[i]))
            {
                return false;
            }

            if (Negators.Contains(before[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static string? FirstStanding(Regex regex, string text, MatchCollection idioms)
    {
        try
        {
            for (var match = regex.Match(text); match.Success; match = match.NextMatch())
            {
                var overlapsIdiom = idioms.Any(idiom => idiom.Index < match.Index + match.Length && match.Index < idiom.Index + idiom.Length);
                if (!overlapsIdiom && !IsNegated(text, match.Index))
                {
                    return match.Value.Trim();
                }
            }
        }
        catch (RegexMatchTimeoutException)
        {
            // A pathological message: the other rules and layers still read it.
        }

        return null;
    }

    /// <summary>
    /// A guard that times out (a starved process, a pathological message) takes the answer that reads the message more
    /// closely, never the one that clears it: not a question, not a game, and every cued rule runs.
    /// </summary>
    private static bool Safe(Func<bool> guard, bool onTimeout = false)
    {
        try
        {
            return guard();
        }
        catch (RegexMatchTimeoutException)
        {
            return onTimeout;
        }
    }

    private static Regex Compile(string pattern) =>
        new(DisclosureText.CompilePattern(pattern), RegexOptions.CultureInvariant, Timeout);
}
