"""Write the bundled demo corpus (``demo/corpus/``) from the articles below.

    python -m disinfowatch.demo.build_corpus

Every article here is FICTIONAL and was written for this project: the outlets and their
``.example`` domains are invented, and quotes attributed to real public figures are invented
sentences, not things they said. The generated files are committed; run this again after editing
an article. ``corpus/README.md`` and ``corpus/sources.toml`` are written by hand and left alone.

Each article is a dict: ``id`` (file stem), ``lang``, ``fmt`` (where it goes: text, html, jsonl,
csv, rss, atom, warc, badjsonl), ``source`` (a name in sources.toml), ``date``, ``author``,
``title``, ``url`` and ``paras`` (paragraphs). Output is deterministic.
"""

from __future__ import annotations

import csv
import html
import io
import json
import shutil
from email.utils import format_datetime
from datetime import datetime, timezone
from pathlib import Path

from .generate import news_page

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"

# name in sources.toml -> (site name, host, language)
OUTLETS = {
    "pervy-severny": ("Первый Северный", "pervy-severny.example", "ru"),
    "vesti-severa": ("Вести Севера", "vesti-severa.example", "ru"),
    "zerkalo": ("Зеркало новостей", "zerkalo-novostei.example", "ru"),
    "eurasia-today": ("Eurasia Today", "eurasia-today.example", "en"),
    "ost-aktuell": ("Ost-Aktuell", "ost-aktuell.example", "de"),
    "nordlys": ("Nordlys Nyheter", "nordlys.example", "nb"),
    "faktasjekk-nord": ("Faktasjekk Nord", "faktasjekk-nord.example", "nb"),
    "baltic-ledger": ("Baltic Ledger", "ledger.example", "en"),
    "holos": ("Голос Прикордоння", "holos.example", "uk"),
    "rheinischer-bote": ("Rheinischer Bote", "bote.example", "de"),
    "pruefstelle": ("Prüfstelle", "pruefstelle.example", "de"),
    "ostersjoposten": ("Östersjöposten", "ostersjo.example", "sv"),
    "courrier-du-nord": ("Le Courrier du Nord", "courrier.example", "fr"),
    "kurier-baltycki": ("Kurier Bałtycki", "kurier.example", "pl"),
}

RELATED = {
    "nb": ["Slik avslører du manipulerte videoklipp", "Mest lest i dag", "Dette er påstandene EU har kartlagt"],
    "en": ["How we fact-check", "Most read today", "The week in review"],
    "ru": ["Главное за неделю", "Самое читаемое", "Мнения экспертов"],
    "uk": ["Головне за тиждень", "Найпопулярніше", "Як ми перевіряємо факти"],
    "de": ["So arbeitet unser Faktencheck", "Meistgelesen", "Die Woche im Überblick"],
    "sv": ["Så granskar vi påståenden", "Mest läst i dag", "Veckans viktigaste"],
    "fr": ["Comment nous vérifions", "Les plus lus", "L'essentiel de la semaine"],
    "pl": ["Jak sprawdzamy fakty", "Najczęściej czytane", "Tydzień w skrócie"],
}

ARTICLES: list[dict] = [
    # ------------------------------------------------------------------------------------------
    # The seed echo: a state-TV piece, and the Norwegian and Swedish reports that it distorted
    # an interview (the primary source is in demo/primary/).
    {
        "id": "nb_stoltenberg_intervju", "lang": "nb", "fmt": "text", "source": "nordlys",
        "date": "2019-11-21", "author": "Kari Nordheim",
        "title": "Russisk TV forvrengte Stoltenberg-intervju",
        "url": "https://nordlys.example/nyheter/2019/11/21/russisk-tv-forvrengte-stoltenberg-intervju",
        "paras": [
            "Et intervju som NATOs generalsekretær Jens Stoltenberg ga til den russiske TV-kanalen Pervyj "
            "Severnyj, ble i kanalens nyhetssending klippet slik at det så ut som om alliansen planlegger krig. "
            "Den fullstendige utskriften forteller en helt annen historie.",
            "Intervjuet ble spilt inn i Brussel mandag denne uken. Reporteren spurte blant annet hvorfor "
            "alliansen har flere soldater i Baltikum og Polen enn for fem år siden, og om forholdet til Moskva "
            "nå er like dårlig som under den kalde krigen.",
            "ANNONSE",
            "- Vi har et vanskelig forhold til Russland, men la meg være helt tydelig: NATO søker ikke "
            "konfrontasjon med Russland. Vi er ikke interessert i en ny kald krig, og vi har ikke noe ønske om "
            "et nytt våpenkappløp, sier Stoltenberg i intervjuet.",
            "Les også: Slik avslører du manipulerte videoklipp",
            "Han viser til at alliansens styrker i øst er små, at soldatene roterer, og at Russland blir varslet "
            "om store øvelser.",
            "- Våre styrker i de baltiske landene og Polen er små, de roterer, og de er defensive. Hensikten er å "
            "forhindre en konflikt, ikke å provosere frem en, sier Stoltenberg.",
            "I kanalens kveldssending onsdag ble klippene satt sammen med arkivbilder av stridsvogner og en ny "
            "speakertekst. Der blir det hevdet at NATO forbereder et angrep på Russland. Ifølge programlederen "
            "har generalsekretæren selv bekreftet dette.",
            "NATO har lagt ut hele utskriften av intervjuet på sine nettsider, både på engelsk og på russisk. "
            "Ingen av svarene inneholder noe som ligner en slik bekreftelse.",
            "- Dette er et kjent mønster. Man tar en setning om avskrekking, fjerner spørsmålet og resten av "
            "svaret, og legger en helt annen fortelling over, sier Ingrid Halvorsen, forsker ved Senter for "
            "mediestudier.",
            "Hun mener saken viser hvor viktig det er å sammenligne korte klipp med originalkilden før man "
            "deler dem videre.",
            "Les også: Dette er påstandene EU har kartlagt i år",
        ],
    },
    {
        "id": "ru_pervy_severny_stoltenberg", "lang": "ru", "fmt": "warc", "source": "pervy-severny",
        "date": "2019-11-20T19:30:00+03:00", "author": "Служба новостей",
        "title": "Столтенберг проговорился: НАТО готовит нападение на Россию",
        "url": "https://pervy-severny.example/news/2019/11/20/stoltenberg-nato-gotovit-napadenie",
        "paras": [
            "Генеральный секретарь НАТО Йенс Столтенберг в интервью нашему телеканалу фактически признал, что "
            "альянс готовится к войне с Россией. Так военные эксперты оценивают слова генсека о «сдерживании» и "
            "«передовом присутствии» у российских границ.",
            "В интервью, записанном в Брюсселе, Столтенберг подробно рассказывал о батальонах альянса в "
            "Прибалтике и Польше. Утверждается, что эти подразделения — лишь первый эшелон будущей "
            "наступательной группировки, которую НАТО разворачивает у наших рубежей.",
            "— Когда генсек НАТО говорит о сдерживании, он говорит о подготовке к удару. Любой военный это "
            "прекрасно понимает, — заявил Игорь Рябов, военный эксперт.",
            "Читайте также: Пентагон перебрасывает танки в Прибалтику",
            "Столтенберг также отказался дать гарантии, что альянс не будет расширяться дальше на восток. "
            "Тридцать лет назад Запад обещал Москве, что НАТО не продвинется ни на дюйм, но это обещание было "
            "нарушено.",
            "В Кремле внимательно изучили интервью. По словам Пескова, Россия будет принимать все необходимые "
            "меры для обеспечения своей безопасности.",
            "— Мы видим, как военная инфраструктура альянса вплотную приближается к нашим границам. Это не "
            "может оставаться без ответа, — заявил Песков.",
            "Как сообщает ТАСС, в ближайшие недели у западных границ России пройдут внеплановые учения.",
            "Наш телеканал продолжит следить за развитием событий.",
        ],
    },
    {
        "id": "sv_ryskt_tv_nato", "lang": "sv", "fmt": "html", "source": "ostersjoposten",
        "date": "2019-11-22T07:30:00+01:00", "author": "Erik Lundgren",
        "title": "Rysk statlig tv klippte om Natochefens intervju",
        "url": "https://ostersjo.example/varlden/2019/11/22/ryskt-tv-klippte-om-natochefens-intervju",
        "paras": [
            "En rysk statlig tv-kanal har klippt om en intervju med Natos generalsekreterare Jens Stoltenberg "
            "så att den ser ut att bekräfta att alliansen förbereder ett anfall mot Ryssland. Den fullständiga "
            "utskriften visar motsatsen.",
            "Intervjun spelades in i Bryssel i början av veckan och lades ut i sin helhet på kanalens "
            "webbplats. I kvällsnyheterna visades däremot bara korta klipp, blandade med arkivbilder av "
            "stridsvagnar och militärövningar.",
            "I inslaget hävdas det att Nato förbereder ett anfall mot Ryssland och att generalsekreteraren "
            "själv har medgett det.",
            "– Nato vill inte ha en konfrontation med Ryssland. Vi vill inte ha ett nytt kallt krig och inte "
            "heller en ny kapprustning, säger Stoltenberg i den oklippta intervjun.",
            "I utskriften ägnar han en stor del av svaren åt att förklara att alliansens förband i Baltikum och "
            "Polen är små, att de roterar och att de är till för att avskräcka, inte för att anfalla.",
            "– Det här är ett typexempel på hur man bygger en falsk berättelse av äkta material. Citaten är "
            "riktiga, men sammanhanget är borttaget, säger Lena Bergqvist, som forskar om "
            "påverkanskampanjer.",
            "Kremls talesperson Dmitrij Peskov sade att Ryssland noga följer Natos militära "
            "aktiviteter nära gränsen och kommer att vidta nödvändiga åtgärder.",
            "Östersjöposten har sökt tv-kanalen för en kommentar men inte fått något svar.",
        ],
    },
    # ------------------------------------------------------------------------------------------
    # Plain-text files
    {
        "id": "uk_mif_pro_natsystiv", "lang": "uk", "fmt": "text", "source": "holos",
        "date": "2022-04-05", "author": "Оксана Литвин",
        "title": "Міф про «нацистів при владі»: як Кремль виправдовує війну",
        "url": "https://holos.example/fakty/2022/04/05/mif-pro-natsystiv-pry-vladi",
        "paras": [
            "Російська пропаганда роками повторює, що Україною керують нацисти. Після початку повномасштабного "
            "вторгнення ця теза стала одним із головних пояснень війни для російської аудиторії.",
            "У сюжетах російських телеканалів стверджується, що українська влада перебуває під контролем "
            "ультраправих, а російськомовних громадян переслідують за мову.",
            "Факти цього не підтверджують. На парламентських виборах 2019 року ультраправе об'єднання набрало "
            "трохи більше двох відсотків голосів і не пройшло до Верховної Ради. Президент Володимир "
            "Зеленський, який має єврейське походження і виріс у російськомовній родині, переміг на виборах, "
            "здобувши понад 73 відсотки голосів.",
            "«Як може бути нацистською держава, яка обрала президентом єврея? Ця брехня потрібна Кремлю лише "
            "для того, щоб виправдати вбивства мирних людей», — сказав Зеленський у вечірньому зверненні.",
            "Дослідники пропаганди звертають увагу, що слово «нацист» у російських медіа давно втратило "
            "конкретний зміст і вживається щодо будь-кого, хто виступає проти політики Москви.",
            "— Це ярлик, а не опис. Його завдання — зробити противника нелюдом, з яким не можна домовитися, — "
            "зазначила Олена Кравченко, дослідниця медіа.",
            "Висновок: твердження, що Україною керують нацисти, є неправдивим. Воно не спирається на "
            "результати виборів і використовується для виправдання агресії.",
        ],
    },
    {
        "id": "sv_mh17_faktakoll", "lang": "sv", "fmt": "text", "source": "ostersjoposten",
        "date": "2022-11-18", "author": "Anders Lindqvist",
        "title": "Faktakoll: Nej, MH17 sköts inte ner av Ukraina",
        "url": "https://ostersjo.example/faktakoll/2022/11/18/mh17-skots-inte-ner-av-ukraina",
        "paras": [
            "Påståendet att ett ukrainskt stridsflygplan eller en ukrainsk luftvärnsrobot sköt ner Malaysia "
            "Airlines flight MH17 sprids åter i sociala medier efter domen i Nederländerna. Vi har granskat det.",
            "I inläggen hävdas det att planet träffades av en robot som avfyrades från ukrainskt kontrollerat "
            "område och att de internationella utredarna har dolt bevis.",
            "Den gemensamma utredningsgruppen, där bland andra Nederländerna, Australien och Ukraina ingår, kom "
            "fram till att planet sköts ner den 17 juli 2014 av en Buk-robot. Roboten hade förts in från "
            "Ryssland och avfyrades från ett fält i östra Ukraina som då kontrollerades av ryskstödda "
            "separatister.",
            "Alla 298 personer ombord omkom. I november 2022 dömde en domstol i Nederländerna tre män till "
            "livstids fängelse i deras frånvaro för inblandning i nedskjutningen.",
            "– Bevisningen bygger på vrakdelar, robotfragment, vittnen, avlyssnade samtal och bilder från "
            "sociala medier. Allt pekar åt samma håll, säger Maja Ekström, som har följt rättegången för "
            "Östersjöposten.",
            "Ryska myndigheter har under åren lagt fram flera alternativa förklaringar, bland annat om ett "
            "ukrainskt jaktplan och om en ukrainsk robot. Förklaringarna motsäger varandra och har prövats och "
            "avfärdats av utredarna.",
            "Slutsats: Påståendet att Ukraina sköt ner MH17 är falskt.",
        ],
    },
    {
        "id": "en_douma_staged", "lang": "en", "fmt": "text", "source": "eurasia-today",
        "date": "2019-05-20", "author": "Eurasia Today staff",
        "title": "Douma 'chemical attack': the staged video the West still believes",
        "url": "https://eurasia-today.example/world/2019/05/20/douma-chemical-attack-staged-video",
        "paras": [
            "More than a year after Western missiles struck Syria in response to an alleged chemical attack in "
            "the town of Douma, the official version of events is falling apart.",
            "The images that shocked the world in April 2018 showed children being washed with water in a "
            "hospital basement. Syrian and Russian officials said at the time that the scenes were filmed by "
            "activists funded by Western governments to provide a pretext for military strikes.",
            "\u201cWe spoke to the people in that video. They told us that nobody was poisoned and that men "
            "with cameras ran into the hospital shouting about gas,\u201d said Ivan Kornev, a spokesman for "
            "the Russian Defence Ministry.",
            "A leaked engineering note claims that the gas cylinders found at the scene were more likely placed "
            "there by hand than dropped from the air. Western media have largely ignored it.",
            "Despite this, Western governments continue to blame Damascus. The Syrian government has "
            "repeatedly said it no longer possesses chemical weapons after handing over its declared stockpile "
            "in 2014.",
            "Moscow has called for an honest investigation. \u201cThe Douma story was theatre staged for "
            "Western cameras, and it was used to bomb a sovereign country,\u201d Peskov said on Monday.",
            "Analysts say the episode fits a pattern: every time the Syrian army advances, a new chemical "
            "incident is reported, and every time the West blames Damascus before any inspector has arrived.",
        ],
    },
    {
        # Written in Windows-1252, to show that legacy encodings are decoded, not rejected.
        "id": "de_sanktionen_zeche", "lang": "de", "fmt": "text", "source": "ost-aktuell", "encoding": "cp1252",
        "date": "2023-01-12", "author": "Redaktion Ost-Aktuell",
        "title": "Sanktionen gegen Russland: Europa zahlt die Zeche",
        "url": "https://ost-aktuell.example/wirtschaft/2023/01/12/sanktionen-europa-zahlt-die-zeche",
        "paras": [
            "Die Sanktionen gegen Russland sollten die russische Wirtschaft in die Knie zwingen. Fast ein Jahr "
            "später zeigt sich: Getroffen hat es vor allem die Bürger in Deutschland und im übrigen Europa.",
            "Die Energiepreise haben sich für viele Haushalte verdoppelt, Bäckereien und mittelständische "
            "Betriebe geben auf, und große Konzerne verlagern ihre Produktion in die USA. Russland dagegen "
            "verkauft sein Öl einfach nach Indien und China.",
            "„Die europäischen Politiker haben sich selbst ins Knie geschossen. Russland hat neue Partner "
            "gefunden, Europa hat nur höhere Rechnungen“, sagte Lawrow am Mittwoch in Moskau.",
            "Auch Kremlsprecher Dmitri Peskow erklärte, die Sanktionen seien ein Schuss ins eigene Bein des "
            "Westens. Die russische Wirtschaft sei weit weniger geschrumpft, als westliche Experten vorhergesagt "
            "hätten.",
            "Gleichzeitig kämpft Deutschland mit der höchsten Inflation seit Jahrzehnten. Viele Rentner wissen "
            "nicht mehr, wie sie ihre Heizkosten bezahlen sollen, während die Regierung in Berlin immer neue "
            "Sanktionspakete aus Brüssel unterstützt.",
            "Immer mehr Bürger fragen sich, wem diese Politik eigentlich nützt. Die Antwort liegt auf der "
            "anderen Seite des Atlantiks: Amerikanische Firmen verkaufen den Europäern ihr Flüssiggas zu "
            "Rekordpreisen.",
        ],
    },
    # ------------------------------------------------------------------------------------------
    # HTML pages (news_page: site chrome, ads, read-also teasers, JSON-LD)
    {
        "id": "nb_faktasjekk_nato_lofte", "lang": "nb", "fmt": "html", "source": "faktasjekk-nord",
        "date": "2022-02-03T10:00:00+01:00", "author": "Sigrid Moe",
        "title": "Faktasjekk: Nei, NATO lovet ikke Russland å aldri utvide alliansen",
        "url": "https://faktasjekk-nord.example/2022/02/03/nato-lovet-ikke-russland-aldri-utvide",
        "paras": [
            "Påstanden om at Vesten brøt et løfte om ikke å utvide NATO østover, går igjen i russiske "
            "statsmedier og på sosiale medier. Vi har gått gjennom hva som faktisk ble sagt i 1990, og hva som "
            "ble skrevet ned.",
            "Det blir hevdet at alliansen ga Sovjetunionen en bindende garanti om at ingen tidligere "
            "Warszawapakt-land noen gang skulle bli medlemmer. Påstanden brukes for å fremstille NATO som en "
            "løftebryter som har omringet Russland.",
            "Under forhandlingene om Tysklands gjenforening i 1990 diskuterte vestlige og sovjetiske ledere "
            "hvordan NATO skulle forholde seg til det tidligere Øst-Tyskland. Samtalene handlet om tysk "
            "territorium, ikke om Polen, Ungarn eller Baltikum.",
            "Avtalen som ble signert i Moskva i september 1990, inneholder ingen bestemmelse om NATOs utvidelse. "
            "Den slår blant annet fast at utenlandske NATO-styrker ikke skal stasjoneres i det østlige Tyskland.",
            "«Det finnes ingen traktat, ingen signert erklæring og ingen protokoll der et slikt løfte står. Det "
            "som finnes, er enkeltuttalelser i samtaler som handlet om noe annet», sier Martin Aasland, "
            "historiker ved Universitetet i Tromsø.",
            "Russland har selv sluttet seg til flere avtaler, blant dem Paris-charteret fra 1990, som slår fast "
            "at hvert land har rett til å velge sine egne sikkerhetsordninger. Land som Polen og Estland søkte "
            "selv om medlemskap.",
            "- NATO har aldri lovet at vi ikke skulle ta opp nye medlemmer. Det er opp til hvert enkelt land å "
            "bestemme, sa Stoltenberg på en pressekonferanse i Brussel.",
            "Konklusjon: Påstanden om at NATO brøt et løfte om ikke å utvide seg, er misvisende. Det finnes "
            "ingen slik avtale, og de nye medlemmene søkte selv om å bli med.",
        ],
    },
    {
        # The exact duplicate: a mirror site republished this page; its copy is in articles.jsonl.
        "id": "ru_krym_10_let", "lang": "ru", "fmt": "warc", "source": "vesti-severa", "mirror": "zerkalo",
        "date": "2024-03-18T09:00:00+03:00", "author": "Анна Воронцова",
        "title": "Десять лет дома: как Крым вернулся в Россию",
        "url": "https://vesti-severa.example/politika/2024/03/18/desyat-let-doma-krym",
        "paras": [
            "Десять лет назад жители Крыма на референдуме проголосовали за воссоединение с Россией. Более 96 "
            "процентов участников голосования высказались за возвращение полуострова в родную гавань.",
            "Референдум стал законным ответом на государственный переворот в Киеве, после которого к власти "
            "пришли националисты, угрожавшие русскоязычному населению. Крымчане воспользовались правом народов "
            "на самоопределение, закреплённым в Уставе ООН.",
            "«Крым — это не аннексия, а восстановление исторической справедливости. Решение принимали сами "
            "крымчане, свободно и без всякого давления», — заявил Лавров на пресс-конференции в Москве.",
            "За десять лет на полуострове построены мост через Керченский пролив, новая трасса «Таврида», "
            "аэропорт в Симферополе и десятки школ и больниц. Туристический поток вырос в несколько раз, а "
            "средние зарплаты жителей полуострова заметно увеличились.",
            "Западные страны по-прежнему отказываются признавать волю крымчан и продлевают санкции против "
            "полуострова. По словам Пескова, вопрос о статусе Крыма «закрыт окончательно» и "
            "обсуждению не подлежит.",
            "Как сообщает ТАСС, в праздничных мероприятиях в Севастополе и Симферополе приняли участие десятки "
            "тысяч человек.",
        ],
    },
    {
        "id": "uk_feik_biolaboratorii", "lang": "uk", "fmt": "html", "source": "holos",
        "date": "2022-03-12T12:00:00+02:00", "author": "Дмитро Коваль",
        "title": "Фейк про «американські біолабораторії»: що насправді відомо",
        "url": "https://holos.example/fakty/2022/03/12/feik-pro-amerykanski-biolaboratorii",
        "paras": [
            "Російські державні медіа поширюють твердження, що США нібито розробляють в Україні біологічну "
            "зброю. Ми перевірили, звідки взялася ця історія і що про лабораторії відомо насправді.",
            "У російських ефірах повідомляється, що лабораторії в Києві, Харкові та Одесі працювали зі "
            "збудниками чуми та сибірської виразки за завданням Пентагону.",
            "Лабораторії, про які йдеться, — це державні заклади, що займаються діагностикою інфекційних "
            "хвороб людей і тварин. Багато з них існують ще з радянських часів.",
            "Співпраця зі США у сфері біобезпеки триває з 2005 року і є публічною. Програма допомагала "
            "безпечно зберігати небезпечні зразки, модернізувати обладнання та навчати персонал.",
            "За даними ВООЗ, на початку війни Україні рекомендували знищити небезпечні зразки, щоб уникнути "
            "їхнього витоку в разі обстрілів. Саме цю пораду російські медіа видають за «знищення доказів».",
            "«В Україні немає жодної біологічної зброї. Ці лабораторії захищають наших людей від епідемій, і "
            "Росія це чудово знає», — заявив Зеленський.",
            "Висновок: твердження про американські біолабораторії, що створюють зброю в Україні, є фейком.",
        ],
    },
    {
        "id": "de_maidan_faktencheck", "lang": "de", "fmt": "html", "source": "rheinischer-bote",
        "date": "2024-02-21T08:00:00+01:00", "author": "Jana Hoffmann",
        "title": "Faktencheck: War der Maidan ein von den USA gesteuerter Putsch?",
        "url": "https://bote.example/politik/2024/02/21/faktencheck-maidan-putsch",
        "paras": [
            "Zehn Jahre nach den Protesten auf dem Kiewer Maidan verbreiten russische Staatsmedien erneut die "
            "Erzählung, die Ereignisse seien ein vom Westen organisierter Staatsstreich gewesen. Wir haben die "
            "Behauptung überprüft.",
            "Es wird behauptet, dass die Vereinigten Staaten die Proteste geplant, bezahlt und gesteuert "
            "hätten, um in Kiew eine prowestliche Marionettenregierung einzusetzen.",
            "Die Proteste begannen im November 2013, nachdem der damalige Präsident Viktor Janukowitsch das "
            "ausgehandelte Assoziierungsabkommen mit der EU kurzfristig auf Eis gelegt hatte. Als die Polizei "
            "friedliche Studierende gewaltsam auseinandertrieb, gingen Hunderttausende auf die Straße.",
            "Dass westliche Politiker den Maidan besuchten und ein abgehörtes Telefonat einer US-Diplomatin "
            "öffentlich wurde, belegt nach Einschätzung von Historikern keine Steuerung der Massenproteste. "
            "Janukowitsch floh im Februar 2014 aus Kiew, das Parlament setzte ihn mit großer Mehrheit ab, auch "
            "mit Stimmen aus seiner eigenen Partei.",
            "„Wer den Maidan einen Putsch nennt, spricht Millionen Ukrainerinnen und Ukrainern das Recht ab, "
            "selbst über ihre Zukunft zu entscheiden“, sagte Scholz bei einer Veranstaltung in Berlin.",
            "Auch die Osteuropa-Historikerin Katrin Wendel hält die Putsch-Erzählung für falsch. „Die Proteste "
            "hatten tiefe innenpolitische Ursachen: Korruption, Polizeigewalt und der Wunsch nach einer "
            "europäischen Zukunft“, sagte Wendel dem Rheinischen Boten.",
            "Fazit: Die Behauptung, der Maidan sei ein von den USA gesteuerter Putsch gewesen, ist falsch. Sie "
            "blendet die Massenproteste und die Entscheidung des Parlaments aus.",
        ],
    },
    {
        "id": "pl_nagranie_atak_nato", "lang": "pl", "fmt": "html", "source": "kurier-baltycki",
        "date": "2023-07-20T11:00:00+02:00", "author": "Tomasz Nowicki",
        "title": "Fałsz: NATO nie szykuje ataku na Rosję z terytorium Polski",
        "url": "https://kurier.example/kraj/2023/07/20/falsz-nato-nie-szykuje-ataku-na-rosje",
        "paras": [
            "W rosyjskich kanałach w serwisie Telegram krąży nagranie, które ma dowodzić, że NATO gromadzi w "
            "Polsce wojska do ataku na Rosję i Białoruś. Sprawdziliśmy, co naprawdę przedstawia film.",
            "W opisie nagrania twierdzi się, że kolumna czołgów zmierza w stronę granicy z obwodem "
            "królewieckim w ramach przygotowań do ofensywy.",
            "Nagranie pochodzi w rzeczywistości sprzed dwóch lat i przedstawia transport sprzętu na coroczne "
            "ćwiczenia na poligonie w północno-wschodniej Polsce. Porównaliśmy budynki i znaki drogowe widoczne "
            "na filmie z mapami tej okolicy.",
            "Według Dowództwa Operacyjnego, w ćwiczeniach brało wtedy udział około dwóch tysięcy żołnierzy z "
            "Polski i krajów sojuszniczych.",
            "„Obecność sojuszniczych wojsk w Polsce ma charakter wyłącznie obronny. NATO nikomu nie zagraża, "
            "ale będzie bronić każdego skrawka swojego terytorium” – powiedział Stoltenberg podczas wizyty w "
            "Warszawie.",
            "Eksperci zwracają uwagę, że podobne nagrania pojawiają się regularnie przed dużymi ćwiczeniami i "
            "są podpisywane w taki sposób, by wywołać strach.",
            "Werdykt: fałsz. Nagranie nie pokazuje przygotowań do ataku na Rosję.",
        ],
    },
    {
        "id": "fr_lille_budget", "lang": "fr", "fmt": "html", "source": "courrier-du-nord",
        "date": "2023-12-15T18:00:00+01:00", "author": "Camille Lefèvre",
        "title": "Lille : le conseil municipal adopte le budget 2024",
        "url": "https://courrier.example/lille/2023/12/15/conseil-municipal-budget-2024",
        "paras": [
            "Le conseil municipal de Lille a adopté jeudi soir le budget de la ville pour 2024, après plus de "
            "cinq heures de débat. Le texte a été voté par la majorité, l'opposition votant contre.",
            "Le budget prévoit 60 millions d'euros d'investissements, principalement pour la rénovation des "
            "écoles, la végétalisation des cours de récréation et l'extension du réseau de pistes cyclables.",
            "« Nous avons fait le choix de ne pas augmenter les impôts locaux malgré la hausse des prix de "
            "l'énergie », a déclaré Paul Renard, adjoint aux finances.",
            "L'opposition reproche à la majorité de repousser la rénovation de la piscine du quartier de Fives, "
            "fermée depuis deux ans. Ses élus ont réclamé un calendrier précis pour sa réouverture.",
            "La ville prévoit également de recruter une vingtaine d'agents pour l'entretien des espaces verts "
            "et de prolonger les horaires d'ouverture de trois bibliothèques de quartier le dimanche.",
            "Le budget doit encore être transmis à la préfecture avant la fin de l'année.",
        ],
    },
    {
        "id": "en_russophobia_policy", "lang": "en", "fmt": "html", "source": "eurasia-today",
        "date": "2023-03-05T14:00:00+03:00", "author": "Eurasia Today staff",
        "title": "Russophobia is now official Western policy",
        "url": "https://eurasia-today.example/opinion/2023/03/05/russophobia-official-western-policy",
        "paras": [
            "Five years after the so-called Skripal affair, the campaign against everything Russian has become "
            "official policy in London, Brussels and Washington.",
            "The story of the poisoning in Salisbury was never proven. Russian diplomats were denied consular "
            "access to Yulia Skripal, a Russian citizen, and British authorities have still not presented "
            "evidence that would stand up in an independent court. Many observers believe the whole incident "
            "was staged by British intelligence to justify new sanctions.",
            "\u201cThe Skripal case was a provocation from the very first day. London invented a story, and the "
            "rest of the West followed without asking a single question,\u201d Lavrov said in an interview on "
            "Sunday.",
            "According to TASS, the Russian Foreign Ministry has registered hundreds of cases of discrimination "
            "against Russian citizens in EU countries since the beginning of the year.",
            "Russian musicians are removed from concert programmes, Russian books disappear from library "
            "shelves and Russian athletes are banned from international competitions. Diplomats report that "
            "people have been harassed simply for speaking Russian in public.",
            "\u201cWhat we see is Russophobia raised to the level of state policy. It is not about Ukraine, it "
            "is about Russia as such,\u201d Zakharova said.",
            "Western politicians insist that their measures are aimed at the Kremlin and not at ordinary "
            "Russians. But for millions of people the message is clear: Russians are not welcome in Europe.",
        ],
    },
    # ------------------------------------------------------------------------------------------
    # articles.jsonl
    {
        "id": "en_biolabs_factcheck", "lang": "en", "fmt": "jsonl", "as_html": True, "source": "baltic-ledger",
        "date": "2022-03-15T09:00:00+02:00", "author": "Laura Vitols",
        "title": "Fact check: No evidence of US 'biolabs' making weapons in Ukraine",
        "url": "https://ledger.example/fact-check/2022/03/15/no-evidence-us-biolabs-ukraine",
        "paras": [
            "Russian officials and state media have in recent days repeated claims that the United States runs "
            "secret laboratories in Ukraine to develop biological weapons. The claims have spread widely on "
            "social media, including in English.",
            "It is claimed that the laboratories were working on pathogens such as anthrax and plague and that "
            "Ukraine rushed to destroy the evidence when the war began.",
            "Ukraine does have a network of public health laboratories, many of them dating back to Soviet "
            "times. Since 2005 the US has supported some of them under a programme that aims to reduce "
            "biological threats, for example by securing dangerous samples and improving disease surveillance. "
            "The programme is public, and its partner institutions are listed openly.",
            "\u201cHelping a country store dangerous samples safely is the opposite of building weapons. Similar "
            "cooperation exists with dozens of countries,\u201d said Helen Marsh, an independent biosecurity "
            "researcher.",
            "The World Health Organization advised Ukraine to destroy high-threat pathogens in its public health "
            "labs to prevent accidental spread if facilities were damaged in the fighting. Russian media present "
            "that advice as proof of a cover-up.",
            "When Russia raised the issue at the UN Security Council, UN officials said they were not aware of "
            "any biological weapons programme in Ukraine.",
            "Verdict: False. There is no evidence that the United States develops biological weapons in Ukraine.",
        ],
    },
    {
        # The near-duplicate: articles.jsonl has the same text on a mirror site with one sentence changed.
        "id": "ru_nato_u_poroga", "lang": "ru", "fmt": "csv", "source": "vesti-severa", "near": "zerkalo",
        "date": "2022-01-14T10:00:00+03:00", "author": "Павел Громов",
        "title": "НАТО у порога: как альянс нарушил обещание и окружил Россию",
        "url": "https://vesti-severa.example/politika/2022/01/14/nato-u-poroga",
        "paras": [
            "В 1990 году западные лидеры заверяли советское руководство, что НАТО не продвинется «ни на дюйм на "
            "восток». Спустя три десятилетия альянс стоит у самых границ России, а его военная инфраструктура "
            "размещена в Прибалтике, Польше и Румынии.",
            "С 1999 года в блок вступили четырнадцать государств. Каждое расширение сопровождалось заверениями, "
            "что оно ни против кого не направлено. Однако учения альянса проходят всё ближе к российским "
            "рубежам, а количество разведывательных полётов вдоль границы растёт из года в год.",
            "— Нам давали слово, а потом сделали вид, что никакого слова не было. Сегодня ракеты, размещённые у "
            "наших границ, могут долететь до Москвы за считанные минуты, — заявил Песков в эфире телеканала.",
            "Утверждается, что расширение НАТО — это свободный выбор суверенных государств. Но в Москве "
            "напоминают: безопасность одних стран не может обеспечиваться за счёт безопасности других.",
            "В декабре Россия передала США и НАТО проекты договоров о гарантиях безопасности. Москва требует "
            "юридически закреплённого отказа от дальнейшего расширения альянса на восток и от размещения "
            "ударных систем вблизи российских границ.",
            "«Мы не можем бесконечно отступать. Если Запад не слышит наших аргументов, Россия будет вынуждена "
            "принять ответные меры», — сказал Лавров.",
            "По данным Минобороны, за последний год число учений НАТО у западных границ России выросло почти "
            "вдвое, а самолёты-разведчики альянса фиксируются у российских рубежей практически ежедневно.",
            "Эксперты отмечают, что именно политика окружения, а не действия Москвы, является главной причиной "
            "напряжённости в Европе. Альянс, созданный для противостояния Советскому Союзу, так и не нашёл себе "
            "другого смысла существования, кроме сдерживания России.",
            "В Вашингтоне и Брюсселе пока дают понять, что не готовы обсуждать ключевые требования Москвы. "
            "Переговоры продолжатся в Женеве и Вене.",
        ],
        "near_change": (
            "С 1999 года в блок вступили четырнадцать государств.",
            "С 1999 года в блок вступили уже четырнадцать государств, и Запад не собирается останавливаться.",
        ),
    },
    {
        "id": "de_skripal_faktencheck", "lang": "de", "fmt": "jsonl", "source": "pruefstelle",
        "date": "2023-03-04", "author": "Lukas Berger",
        "title": "Faktencheck: Der Giftanschlag auf Skripal war keine Inszenierung",
        "url": "https://pruefstelle.example/faktencheck/2023/03/04/skripal-keine-inszenierung",
        "paras": [
            "Fünf Jahre nach dem Anschlag auf den früheren russischen Doppelagenten Sergej Skripal und seine "
            "Tochter Julia in Salisbury kursiert in sozialen Netzwerken erneut die Behauptung, alles sei vom "
            "britischen Geheimdienst inszeniert worden.",
            "In mehreren Beiträgen wird behauptet, dass Vater und Tochter nie mit einem Nervenkampfstoff in "
            "Berührung gekommen seien und Großbritannien den Fall erfunden habe, um Russland zu schaden.",
            "Die Organisation für das Verbot chemischer Waffen hat unabhängig von den britischen Behörden Proben "
            "analysiert und den Einsatz eines Nervenkampfstoffs der Nowitschok-Gruppe bestätigt. Ein Polizist, "
            "der als einer der Ersten vor Ort war, erkrankte schwer. Im Sommer 2018 starb eine Frau in der Nähe "
            "von Salisbury, nachdem sie mit einem weggeworfenen Parfümfläschchen in Kontakt gekommen war, in dem "
            "sich der Kampfstoff befand.",
            "Britische Ermittler haben mehrere Männer identifiziert, die nach Recherchen verschiedener Medien "
            "für den russischen Militärgeheimdienst arbeiten.",
            "„Die Beweislage ist ungewöhnlich dicht: Laborbefunde, Reisedaten, Überwachungsvideos. Eine "
            "Inszenierung müsste Hunderte Menschen in mehreren Ländern einbeziehen“, sagte Thomas Brandt, "
            "Experte für chemische Waffen.",
            "Russland bestreitet jede Beteiligung und spricht von einer Provokation.",
            "Fazit: Die Behauptung, der Anschlag auf die Skripals sei inszeniert gewesen, ist falsch.",
        ],
    },
    {
        "id": "fr_douma_pas_mise_en_scene", "lang": "fr", "fmt": "jsonl", "source": "courrier-du-nord",
        "date": "2023-04-07", "author": "Julien Martin",
        "title": "Syrie : non, les attaques chimiques n'étaient pas des mises en scène",
        "url": "https://courrier.example/monde/2023/04/07/syrie-attaques-chimiques-pas-mises-en-scene",
        "paras": [
            "Cinq ans après l'attaque de Douma, des comptes proches des médias d'État russes affirment à nouveau "
            "que les images des victimes ont été tournées avec des figurants.",
            "Sur ces comptes, on affirme que des secouristes syriens financés par l'Occident auraient fabriqué "
            "les vidéos pour provoquer des frappes occidentales contre Damas.",
            "En janvier 2023, les enquêteurs de l'Organisation pour l'interdiction des armes chimiques ont "
            "conclu qu'il existait des motifs raisonnables de croire qu'un hélicoptère de l'armée syrienne "
            "avait largué au moins une bouteille de chlore sur un immeuble résidentiel de Douma le 7 avril 2018.",
            "« Les enquêteurs ont examiné des échantillons, des témoignages et des données balistiques. La thèse "
            "de la mise en scène ne résiste pas à l'analyse », a déclaré Claire Morel, chercheuse spécialiste "
            "des armes chimiques.",
            "L'organisation avait déjà attribué plusieurs attaques antérieures, dont celle au sarin de Khan "
            "Cheikhoun en 2017, aux forces gouvernementales syriennes.",
            "Conclusion : l'affirmation selon laquelle les attaques chimiques en Syrie étaient des mises en "
            "scène est fausse.",
        ],
    },
    {
        "id": "uk_lviv_tramvai", "lang": "uk", "fmt": "jsonl", "source": "holos",
        "date": "2023-08-24", "author": "Ірина Бойко",
        "title": "У Львові завершили ремонт трамвайної лінії на Сихів",
        "url": "https://holos.example/misto/2023/08/24/lviv-tramvai-sykhiv",
        "paras": [
            "У Львові після п'яти місяців робіт відновили рух трамваїв на лінії, що сполучає центр міста з "
            "районом Сихів. Перші вагони вийшли на маршрут у четвер зранку.",
            "Під час ремонту замінили понад чотири кілометри колій, облаштували нові зупинки з навісами та "
            "встановили світлофори з пріоритетом для громадського транспорту.",
            "Під час ремонту трамваї замінили автобуси, які курсували кожні п'ять хвилин. У години пік вони були "
            "переповнені, а дорога до центру іноді займала майже годину.",
            "— Тепер дорога з Сихова до центру займатиме на десять хвилин менше. Ми також плануємо закупити "
            "нові низькопідлогові вагони, — сказав Тарас Мельник, директор міського департаменту транспорту.",
            "Ремонт коштував близько 180 мільйонів гривень, частину коштів надав європейський банк.",
            "Нові вагони, за попередніми розрахунками, обійдуться місту в кілька сотень мільйонів гривень. Міська "
            "рада розгляне це питання восени.",
            "Мешканці району скаржилися на затори під час робіт, але більшість опитаних задоволені результатом. "
            "Наступного року місто планує відремонтувати лінію на вулиці Личаківській.",
        ],
    },
    # ------------------------------------------------------------------------------------------
    # articles.csv
    {
        "id": "ru_ukraina_nesostoyavsheesya", "lang": "ru", "fmt": "csv", "source": "vesti-severa",
        "date": "2023-02-22", "author": "Павел Громов",
        "title": "Украина: несостоявшееся государство",
        "url": "https://vesti-severa.example/analitika/2023/02/22/ukraina-nesostoyavsheesya-gosudarstvo",
        "paras": [
            "Спустя девять лет после государственного переворота на Майдане Украина окончательно превратилась "
            "в несостоявшееся государство. Экономика держится на западных кредитах, а решения принимаются не в "
            "Киеве, а в Вашингтоне и Брюсселе. Экономика страны сократилась почти на треть, миллионы граждан "
            "уехали за границу.",
            "Переворот 2014 года был организован и оплачен США. Американские дипломаты лично выходили к "
            "протестующим и решали, кто войдёт в новое правительство.",
            "С тех пор ключевые посты в силовых структурах заняли радикальные националисты. Факельные шествия в "
            "честь пособников нацистов стали в Киеве обычным делом, а улицы переименовывают в честь "
            "коллаборационистов.",
            "— Киевский режим находится под полным внешним управлением. Без западных денег он не продержится и "
            "месяца, — заявила Захарова на брифинге.",
            "Утверждается, что Запад помогает Украине строить демократию. Однако оппозиционные партии запрещены, "
            "независимые телеканалы закрыты, а проведение выборов ставится под вопрос.",
            "Как заявил Песков, Россия не ставит под сомнение право украинского народа на собственное "
            "государство, но не позволит превратить соседнюю страну в плацдарм против себя.",
        ],
    },
    {
        "id": "uk_karpaty_snihopad", "lang": "uk", "fmt": "csv", "source": "holos",
        "date": "2024-01-16", "author": "Ірина Бойко",
        "title": "У Карпатах очікується сильний снігопад",
        "url": "https://holos.example/pogoda/2024/01/16/karpaty-snihopad",
        "paras": [
            "Синоптики попереджають про сильний снігопад у Карпатах у середу та четвер. У високогір'ї може "
            "випасти до півметра снігу, а на перевалах очікується хуртовина.",
            "Рятувальники закликають туристів не виходити на гірські маршрути без потреби і повідомляти про "
            "свої плани на найближчих станціях гірського пошуку.",
            "Через негоду можливі перебої з електропостачанням у гірських селах. Енергетики заздалегідь "
            "підготували резервні бригади та техніку, а дорожні служби — снігоприбиральні машини.",
            "— Найскладніша ситуація буде вночі проти четверга, коли посилиться вітер. Водіям варто "
            "утриматися від поїздок через перевали, — повідомила Наталія Кравчук, черговий синоптик.",
            "У Львові та Івано-Франківську температура вдень коливатиметься від мінус трьох до нуля градусів, "
            "місцями пройде мокрий сніг.",
            "Гірськолижні курорти попереджають відпочивальників, що частина підйомників може не працювати через "
            "сильний вітер, а на дорогах до курортів можливі затримки.",
            "На вихідних погода стабілізується, а наступного тижня синоптики прогнозують потепління до плюс "
            "чотирьох градусів. Водночас через відлигу в горах зросте ризик сходження лавин, тому рятувальники "
            "радять стежити за попередженнями.",
        ],
    },
    {
        "id": "pl_gdansk_tramwaj", "lang": "pl", "fmt": "csv", "source": "kurier-baltycki",
        "date": "2023-09-08", "author": "Magdalena Zielińska",
        "title": "Gdańsk: nowa linia tramwajowa połączy południowe dzielnice",
        "url": "https://kurier.example/gdansk/2023/09/08/nowa-linia-tramwajowa",
        "paras": [
            "Rada Miasta Gdańska zatwierdziła w czwartek plan budowy nowej linii tramwajowej, która połączy "
            "południowe dzielnice z centrum. Prace mają się rozpocząć wiosną przyszłego roku.",
            "Trasa będzie miała około sześciu kilometrów i dziewięć przystanków. Koszt inwestycji szacuje się "
            "na ponad 400 milionów złotych, z czego znaczną część pokryją fundusze unijne.",
            "Nowa trasa ma obsłużyć szybko rozwijające się osiedla, na których w ostatnich latach zamieszkało "
            "kilkadziesiąt tysięcy osób. Dziś jedynym transportem publicznym są tam autobusy, które w godzinach "
            "szczytu stoją w tych samych korkach co samochody.",
            "„To odpowiedź na potrzeby tysięcy mieszkańców, którzy dziś codziennie stoją w korkach” – "
            "powiedziała Anna Wiśniewska, zastępczyni prezydenta miasta.",
            "Radni opozycji pytali o harmonogram prac i utrudnienia dla kierowców. Miasto zapowiada, że "
            "objazdy zostaną wyznaczone z wyprzedzeniem.",
            "Wzdłuż torowiska powstanie także droga rowerowa i nowe nasadzenia drzew. Mieszkańcy mogą zgłaszać "
            "uwagi do projektu do końca października.",
            "Pierwsze tramwaje mają pojechać nową trasą za trzy lata. Miasto planuje też zakup dziesięciu nowych "
            "niskopodłogowych wagonów.",
        ],
    },
    # ------------------------------------------------------------------------------------------
    # feed.xml (RSS 2.0, Nordlys Nyheter) and atom.xml (Baltic Ledger)
    {
        "id": "nb_bodo_skolestruktur", "lang": "nb", "fmt": "rss", "source": "nordlys",
        "date": "2023-06-15T21:30:00+02:00", "author": "Ola Bakken",
        "title": "Bystyret i Bodø vedtok ny skolestruktur",
        "url": "https://nordlys.example/lokalt/2023/06/15/bystyret-bodo-ny-skolestruktur",
        "paras": [
            "Etter en lang debatt vedtok bystyret i Bodø torsdag kveld å slå sammen to barneskoler i sentrum "
            "fra høsten 2025. Vedtaket ble fattet med 27 mot 12 stemmer.",
            "Forslaget har skapt stort engasjement blant foreldre, som har samlet over 1800 underskrifter mot "
            "sammenslåingen. Flere av dem fulgte møtet fra galleriet.",
            "- Vi forstår at dette er krevende for mange familier. Men vi må bruke pengene på undervisning, ikke "
            "på gamle bygg, sier Siv Mørkved, leder av oppvekstkomiteen.",
            "Kommunedirektøren har anslått at sammenslåingen vil spare kommunen for rundt 14 millioner kroner i "
            "året. Den nye skolen skal ha plass til om lag 600 elever og får egen flerbrukshall.",
            "- Vi er skuffet, men vi kommer til å følge prosessen tett og passe på at skoleveien blir trygg, sier "
            "Jon Erik Hansen, leder i foreldrerådet ved den ene skolen.",
            "Arbeidet med den nye skolen skal etter planen starte neste vår. Skolen skal bygges på tomten der den "
            "største av de to skolene ligger i dag.",
        ],
    },
    {
        "id": "nb_finnmark_uvaer", "lang": "nb", "fmt": "rss", "source": "nordlys",
        "date": "2024-01-09T06:45:00+01:00", "author": "Ola Bakken",
        "title": "Farevarsel i Finnmark: Sterk vind og snøfokk over fjellet",
        "url": "https://nordlys.example/vaer/2024/01/09/farevarsel-finnmark-snofokk",
        "paras": [
            "Meteorologene har sendt ut farevarsel om sterk vind og kraftig snøfokk i store deler av Finnmark "
            "tirsdag og onsdag. Flere fjelloverganger kan bli stengt eller kjørt i kolonne.",
            "Vinden ventes å øke til full storm på kysten i løpet av tirsdag ettermiddag, og temperaturen faller "
            "til under minus 20 grader i indre strøk.",
            "Statens vegvesen opplyser at E6 over Sennalandet og riksvei 93 mellom Alta og Kautokeino er mest "
            "utsatt. Brøytemannskapene er satt i beredskap gjennom natten.",
            "- Vi ber folk om å sjekke veimeldingene før de legger ut på tur, og å ikke kjøre over fjellet hvis "
            "det ikke er nødvendig, sier Hanne Lie, vakthavende meteorolog.",
            "Flere skoler i Kautokeino og Karasjok har allerede varslet at elevene får hjemmeundervisning "
            "onsdag. Hurtigruten kan også få forsinkelser.",
            "Fra torsdag ventes det roligere vær med lettere snøbyger og svak vind. Meteorologene minner om at "
            "det fortsatt kan være glatt på veiene i flere dager etter uværet, og at det er lurt å ha med ekstra "
            "klær og mat i bilen.",
        ],
    },
    {
        "id": "en_mh17_verdict", "lang": "en", "fmt": "atom", "source": "baltic-ledger",
        "date": "2022-11-17T18:00:00+02:00", "author": "Peter Ozols",
        "title": "MH17: what the investigators found, and why the Ukraine-did-it story does not hold",
        "url": "https://ledger.example/world/2022/11/17/mh17-verdict-what-investigators-found",
        "paras": [
            "A Dutch court on Thursday convicted three men in their absence for their role in the downing of "
            "Malaysia Airlines flight MH17 over eastern Ukraine in 2014, and acquitted a fourth. All 298 people "
            "on board were killed.",
            "The ruling follows years of work by an international joint investigation team. Investigators "
            "concluded that the aircraft was hit by a Buk missile brought in from Russia and fired from "
            "farmland controlled by Russian-backed separatists.",
            "Russian state media have for years promoted other versions: that a Ukrainian fighter jet shot down "
            "the plane, or that a Ukrainian air defence unit fired the missile. It was claimed that radar data "
            "proved a military aircraft was flying close to the airliner.",
            "Those versions contradict each other, and the investigators examined and rejected them. Radar data "
            "handed over later showed no other aircraft near MH17.",
            "\u201cThe evidence does not point in many directions. It points in one,\u201d said Pieter Janssen, "
            "a lawyer representing relatives of the victims.",
            "Moscow rejected the verdict. Dmitry Peskov said that Russia would not hand over its citizens and "
            "did not recognise the court's conclusions.",
        ],
    },
    {
        "id": "en_riga_tram_budget", "lang": "en", "fmt": "atom", "source": "baltic-ledger",
        "date": "2023-05-11T16:00:00+03:00", "author": "Laura Vitols",
        "title": "Riga council approves new tram line to the airport",
        "url": "https://ledger.example/riga/2023/05/11/council-approves-tram-line-airport",
        "paras": [
            "Riga city council voted on Thursday to build a tram line linking the city centre with the airport, "
            "ending more than a decade of debate about how to connect the two.",
            "The nine-kilometre line is expected to cost around 120 million euros, most of it covered by "
            "European funds. Construction could start next year if the tender goes to plan.",
            "The city expects around 20,000 passengers a day to use the line once it opens, many of them airport "
            "workers and travellers heading for the old town.",
            "\u201cThis is the biggest investment in public transport in Riga for a generation,\u201d said Anna "
            "Kalnina, the deputy mayor responsible for transport.",
            "Opposition councillors criticised the plan as too expensive and asked why buses could not do the "
            "job. Residents along the planned route have raised concerns about noise and the loss of trees.",
            "The council also approved funding to repair two bridges over the Daugava and to extend cycle lanes "
            "in the old town.",
        ],
    },
    # ------------------------------------------------------------------------------------------
    # archive.warc.gz (a crawl of state-media pages; also holds the mirror copy of ru_krym_10_let)
    {
        "id": "ru_biolaboratorii_pentagon", "lang": "ru", "fmt": "warc", "source": "vesti-severa",
        "date": "2022-03-10T13:00:00+03:00", "author": "Анна Воронцова",
        "title": "Пентагон и биолаборатории: что скрывали на Украине",
        "url": "https://vesti-severa.example/mir/2022/03/10/pentagon-biolaboratorii-ukraina",
        "paras": [
            "Министерство обороны России обнародовало документы, которые свидетельствуют о военно-биологической "
            "деятельности США на Украине. Речь идёт о сети лабораторий в Киеве, Харькове, Одессе и Львове.",
            "По данным Минобороны, в лабораториях проводились исследования возбудителей чумы, сибирской язвы и "
            "холеры, а финансирование шло напрямую из Пентагона.",
            "Военное ведомство также опубликовало схемы, на которых отмечены места расположения лабораторий и "
            "маршруты, по которым образцы якобы научных материалов вывозились за рубеж.",
            "Утверждается, что после начала специальной военной операции украинские сотрудники в спешке "
            "уничтожили образцы, чтобы скрыть следы программы.",
            "— Мы требуем от Вашингтона объяснений. Почему американские военные биологи работают у самых "
            "границ России и что именно они там создают? — заявила Захарова.",
            "Американская сторона отрицает разработку биологического оружия и называет лаборатории "
            "учреждениями общественного здравоохранения. Однако в Москве такие объяснения считают "
            "неубедительными.",
            "Эксперты подчёркивают, что подобные исследования у российских границ представляют прямую угрозу "
            "безопасности не только России, но и всех соседних стран.",
            "Россия намерена поднять этот вопрос в Совете Безопасности ООН и добиваться международного "
            "расследования.",
        ],
    },
    {
        "id": "ru_sanktsii_bumerang", "lang": "ru", "fmt": "warc", "source": "vesti-severa",
        "date": "2022-10-05T08:00:00+03:00", "author": "Павел Громов",
        "title": "Санкции бумерангом: Европа платит за антироссийскую политику",
        "url": "https://vesti-severa.example/ekonomika/2022/10/05/sanktsii-bumerangom",
        "paras": [
            "Европейские страны вступают в зиму с рекордными ценами на газ и электричество. Заводы "
            "останавливаются, магазины экономят на освещении, а правительства призывают граждан меньше "
            "топить.",
            "Санкции, которые Брюссель вводил против России, ударили прежде всего по самим европейцам. Россия "
            "тем временем нарастила поставки энергоносителей в Азию.",
            "Крупнейшие химические концерны Германии уже сократили производство, а часть предприятий переносит "
            "мощности в США, где энергия обходится в разы дешевле.",
            "— Санкции бьют прежде всего по Европе. Россия нашла новых покупателей, а немецкие семьи платят за "
            "газ втрое больше, чем год назад, — заявил Песков.",
            "Как сообщает РИА Новости, в Германии за год закрылись тысячи небольших предприятий, не выдержавших "
            "роста цен на энергию.",
            "Выигрывают от этого только американские компании, которые продают Европе сжиженный газ по ценам "
            "в несколько раз выше российских. Европейские потребители оплачивают эту разницу из собственного "
            "кармана.",
            "Тем временем российский бюджет получает рекордные доходы от экспорта нефти и газа в страны Азии, а "
            "рубль остаётся одной из самых устойчивых валют мира.",
        ],
    },
    # ------------------------------------------------------------------------------------------
    # bad/broken_line.jsonl: two good records around one malformed line
    {
        "id": "sv_visby_kulturhus", "lang": "sv", "fmt": "badjsonl", "source": "ostersjoposten",
        "date": "2023-09-02", "author": "Karin Holm",
        "title": "Nytt kulturhus invigt i Visby",
        "url": "https://ostersjo.example/gotland/2023/09/02/nytt-kulturhus-invigt-i-visby",
        "paras": [
            "Efter tre års byggtid invigdes på lördagen Gotlands nya kulturhus vid hamnen i Visby. Huset rymmer "
            "bibliotek, en konsertsal med 400 platser och ateljéer för lokala konstnärer.",
            "Byggnaden har kostat drygt 310 miljoner kronor, vilket är ungefär 40 miljoner mer än beräknat. "
            "Fördyringen förklaras framför allt av högre priser på stål och trä.",
            "Kulturhuset är ritat av en arkitektbyrå från Stockholm och har en fasad av gotländsk kalksten. Taket "
            "är täckt med solceller som ska ge en stor del av husets el.",
            "– Det här är ett hus för alla gotlänningar, inte bara för dem som redan går på konsert, säger Maria "
            "Sandberg, ordförande i regionens kulturnämnd.",
            "Invigningen lockade enligt arrangörerna omkring 3000 besökare. Under eftermiddagen uppträdde en "
            "barnkör och ett lokalt jazzband på kajen utanför.",
            "Biblioteket öppnar för allmänheten på måndag, och konsertsalens första säsong börjar i oktober. "
            "Regionen räknar med att huset ska locka både gotlänningar och turister året runt, inte bara under "
            "sommarmånaderna.",
        ],
    },
    {
        "id": "de_kiel_faehre", "lang": "de", "fmt": "badjsonl", "source": "rheinischer-bote",
        "date": "2023-05-26", "author": "Nils Petersen",
        "title": "Kiel: Ratsversammlung beschließt neue Fährlinie über die Förde",
        "url": "https://bote.example/norden/2023/05/26/kiel-neue-faehrlinie",
        "paras": [
            "Die Kieler Ratsversammlung hat am Donnerstag eine neue Fährverbindung zwischen dem Ost- und dem "
            "Westufer der Förde beschlossen. Die Fähren sollen ab dem kommenden Frühjahr im Halbstundentakt "
            "fahren.",
            "Eingesetzt werden zwei elektrisch betriebene Schiffe mit Platz für jeweils 150 Fahrgäste und "
            "40 Fahrräder. Die Stadt rechnet mit Kosten von rund zwölf Millionen Euro.",
            "Bislang müssen Pendler, die am Westufer arbeiten, entweder mit dem Bus um die Förde herumfahren oder "
            "eine der bestehenden Fähren mit Umstieg nutzen. Zur Hauptverkehrszeit dauert der Weg oft mehr als "
            "40 Minuten.",
            "„Mit der neuen Linie sparen Pendlerinnen und Pendler bis zu zwanzig Minuten am Tag“, sagte "
            "Birte Jensen, Vorsitzende des Verkehrsausschusses.",
            "Kritik kam von Anwohnern am Westufer, die mehr Verkehr rund um den neuen Anleger befürchten. Die "
            "Stadt will dort zusätzliche Fahrradständer und eine Bushaltestelle einrichten.",
            "Die Fahrkarten sollen im regionalen Nahverkehrstarif gelten. Die Ausschreibung für die Schiffe soll "
            "noch in diesem Sommer beginnen. Ob es auch eine Abendverbindung am Wochenende gibt, will der Ausschuss "
            "im Herbst entscheiden.",
        ],
    },
]


# ----------------------------------------------------------------------------------------------
# Writers


def _outlet(article: dict, key: str = "source") -> tuple[str, str, str]:
    return OUTLETS[article[key]]


def _text(article: dict) -> str:
    return "\n\n".join(article["paras"])


def _html_fragment(paras: list[str]) -> str:
    return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paras)


def _page(article: dict, outlet_key: str = "source", url: str | None = None) -> str:
    site, _host, lang = _outlet(article, outlet_key)
    return news_page(article["title"], article["paras"], date=article["date"], author=article["author"],
                     canonical_url=url or article["url"], site_name=site, lang=article["lang"],
                     related=RELATED[article["lang"]])


def _rfc2822(date: str) -> str:
    return format_datetime(datetime.fromisoformat(date))


def _mirror_url(article: dict, key: str) -> str:
    host = _outlet(article, key)[1]
    return f"https://{host}/" + article["url"].split("/", 3)[3]


def _row(article: dict, *, url: str | None = None, source: str | None = None, text: str | None = None) -> dict:
    row = {"url": url or article["url"], "title": article["title"]}
    if article.get("as_html"):
        row["html"] = _html_fragment(article["paras"])
    else:
        row["text"] = text if text is not None else _text(article)
    row.update(published=article["date"], language=article["lang"], author=article["author"],
               source=source or article["source"])
    return row


def write_texts(out: Path, articles: list[dict]) -> None:
    (out / "texts").mkdir(parents=True, exist_ok=True)
    for a in articles:
        site = _outlet(a)[0]
        header = f"date {a['date']}\ntitle {a['title']}\nurl {a['url']}\noutlet {site}\nauthor {a['author']}\n\n"
        data = (header + _text(a) + "\n").encode(a.get("encoding", "utf-8"))
        (out / "texts" / f"{a['id']}.txt").write_bytes(data)


def write_html(out: Path, articles: list[dict]) -> None:
    (out / "html").mkdir(parents=True, exist_ok=True)
    for a in articles:
        (out / "html" / f"{a['id']}.html").write_text(_page(a), encoding="utf-8")


def write_jsonl(path: Path, rows: list[dict | str]) -> None:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_csv(path: Path, rows: list[dict], fields: list[str]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in fields})
    path.write_text(buffer.getvalue(), encoding="utf-8")


def write_rss(path: Path, articles: list[dict]) -> None:
    site, host, lang = _outlet(articles[0])
    items = []
    for a in articles:
        content = _html_fragment(a["paras"])
        assert len(content) >= 500, a["id"]  # full content: the ingester uses it as is, never fetches
        items.append(f"""  <item>
    <title>{html.escape(a['title'])}</title>
    <link>{html.escape(a['url'])}</link>
    <guid isPermaLink="true">{html.escape(a['url'])}</guid>
    <pubDate>{_rfc2822(a['date'])}</pubDate>
    <dc:creator>{html.escape(a['author'])}</dc:creator>
    <description>{html.escape(a['paras'][0])}</description>
    <content:encoded><![CDATA[{content}]]></content:encoded>
  </item>""")
    path.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>{html.escape(site)}</title>
  <link>https://{host}/</link>
  <description>{html.escape(site)}: nyheter (fiktivt demo-innhold)</description>
  <language>{lang}</language>
{chr(10).join(items)}
</channel>
</rss>
""", encoding="utf-8")


def write_atom(path: Path, articles: list[dict]) -> None:
    site, host, lang = _outlet(articles[0])
    entries = []
    for a in articles:
        content = _html_fragment(a["paras"])
        assert len(content) >= 500, a["id"]
        entries.append(f"""  <entry>
    <title>{html.escape(a['title'])}</title>
    <link rel="alternate" type="text/html" href="{html.escape(a['url'])}"/>
    <id>{html.escape(a['url'])}</id>
    <published>{a['date']}</published>
    <updated>{a['date']}</updated>
    <author><name>{html.escape(a['author'])}</name></author>
    <summary>{html.escape(a['paras'][0])}</summary>
    <content type="html">{html.escape(content)}</content>
  </entry>""")
    latest = max(a["date"] for a in articles)
    path.write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang}">
  <title>{html.escape(site)}</title>
  <link rel="alternate" href="https://{host}/"/>
  <link rel="self" href="https://{host}/atom.xml"/>
  <id>https://{host}/</id>
  <updated>{latest}</updated>
{chr(10).join(entries)}
</feed>
""", encoding="utf-8")


# A 1x1 transparent PNG: the crawl also archived an image, which the ingester must refuse with a reason.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8"
                    "ffff3f0005fe02fea7d6a4d40000000049454e44ae426082")


def write_warc(path: Path, records: list[tuple[str, str, str, bytes, str]]) -> None:
    """``records``: (url, date, content type, body, kind) with kind ``response`` or ``request``."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for number, (url, date, ctype, body, kind) in enumerate(records, start=1):
        warc_date = datetime.fromisoformat(date).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if "T" in date else date
        headers = {"WARC-Date": warc_date, "WARC-Record-ID": f"<urn:uuid:00000000-0000-4000-8000-{number:012d}>"}
        if kind == "request":
            http = StatusAndHeaders("GET " + "/" + url.split("/", 3)[3] + " HTTP/1.1",
                                    [("Host", url.split("/")[2]), ("User-Agent", "demo-crawler/1.0")],
                                    protocol="HTTP/1.1", is_http_request=True)
            record = writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=http,
                                               warc_headers_dict=headers)
        else:
            http = StatusAndHeaders("200 OK", [("Content-Type", ctype), ("Content-Length", str(len(body)))],
                                    protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                               warc_headers_dict=headers, length=len(body))
        writer.write_record(record)
    path.write_bytes(buffer.getvalue())


def build(out: Path = CORPUS) -> list[Path]:
    """Write every generated file of the corpus under ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    for name in ("texts", "html", "bad"):  # generated folders: rewritten from scratch
        shutil.rmtree(out / name, ignore_errors=True)
    by_fmt: dict[str, list[dict]] = {}
    for article in ARTICLES:
        by_fmt.setdefault(article["fmt"], []).append(article)

    write_texts(out, by_fmt["text"])
    write_html(out, by_fmt["html"])

    fields = ["url", "title", "text", "published", "language", "author", "source"]
    write_csv(out / "articles.csv", [_row(a) for a in by_fmt["csv"]], fields)

    jsonl_rows = [_row(a) for a in by_fmt["jsonl"]]
    for a in ARTICLES:
        if a.get("mirror"):  # the exact duplicate: the mirror site's copy of a page in the WARC
            url = _mirror_url(a, "mirror")
            jsonl_rows.append({"url": url, "title": a["title"], "html": _page(a, "mirror", url),
                               "published": a["date"], "language": a["lang"], "author": a["author"],
                               "source": a["mirror"]})
        if a.get("near"):  # the near-duplicate: the mirror republished it with one sentence changed
            old, new = a["near_change"]
            assert _text(a).count(old) == 1
            jsonl_rows.append(_row(a, url=_mirror_url(a, "near"), source=a["near"], text=_text(a).replace(old, new)))
    write_jsonl(out / "articles.jsonl", jsonl_rows)

    write_rss(out / "feed.xml", by_fmt["rss"])
    write_atom(out / "atom.xml", by_fmt["atom"])

    records = []
    for a in by_fmt["warc"]:
        records.append((a["url"], a["date"], "", b"", "request"))
        records.append((a["url"], a["date"], "text/html; charset=utf-8", _page(a).encode("utf-8"), "response"))
    records.append(("https://vesti-severa.example/static/pixel.png", "2022-10-05T08:00:05+03:00", "image/png", PNG,
                    "response"))
    write_warc(out / "archive.warc.gz", records)

    bad = out / "bad"
    bad.mkdir(exist_ok=True)
    # A binary file misnamed .txt (an image with NUL bytes): rejected as binary.
    (bad / "scan_of_leaflet.txt").write_bytes(PNG * 4)
    # An HTML page with no article in it: rejected, no main text.
    (bad / "empty_page.html").write_text(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title></title></head>\n"
        "<body><header><nav></nav></header><main></main><footer></footer></body></html>\n", encoding="utf-8")
    # JSONL with one malformed (truncated) line between two good records.
    good = [_row(a) for a in by_fmt["badjsonl"]]
    broken = json.dumps(_row(by_fmt["badjsonl"][0]), ensure_ascii=False)[:180]
    write_jsonl(bad / "broken_line.jsonl", [good[0], broken, good[1]])
    # CSV without a text (or html) column: every row rejected with the reason.
    write_csv(bad / "no_text_column.csv", [
        {"url": "https://ledger.example/riga/2023/06/01/headline-only", "title": "Headline without a body",
         "published": "2023-06-01", "language": "en", "source": "baltic-ledger"},
        {"url": "https://ledger.example/riga/2023/06/02/another-headline", "title": "Another headline only",
         "published": "2023-06-02", "language": "en", "source": "baltic-ledger"},
    ], ["url", "title", "published", "language", "source"])
    return sorted(p for p in out.rglob("*") if p.is_file())


def word_counts() -> dict[str, int]:
    return {a["id"]: len(_text(a).split()) for a in ARTICLES}


if __name__ == "__main__":  # pragma: no cover
    for p in build():
        print(p.relative_to(CORPUS), p.stat().st_size)
    for name, n in word_counts().items():
        print(f"{n:4d} {name}")
