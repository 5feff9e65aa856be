# ruff: noqa: E501  (a table of texts: one rule a line where it fits)
"""Every rule the engine applies, with its text in English and Arabic and its published source.

A computation records the ids of the rules it applied (``Ledger.cite``/``Ledger.flag``); the
result lists them with their source (``ShareResult.sources``), and the deed prints them. Flags
(``result.FLAGS``) are the rules a court must look at: a point where the schools differ, a
share left to settlement, an assumption.
"""

from __future__ import annotations

SIRAJIYYA = "al-Sirajiyya (Siraj al-Din al-Sajawandi), "
SHARAI = "al-Muhaqqiq al-Hilli, Sharaʾiʿ al-Islam, k. al-mawarith, "
SISTANI = "Sistani, Islamic Laws, "
PSL = "Iraq Personal Status Law 188/1959, "

# id -> (English, Arabic, source)
RULES: dict[str, tuple[str, str, str]] = {
    # Shares common to the schools
    "spouse_share": ("husband 1/2 (1/4 with a descendant heir); wife 1/4 (1/8 with one)",
                     "للزوج النصف (الربع مع الفرع الوارث)، وللزوجة الربع (الثمن مع الفرع الوارث)",
                     "Qur'an 4:12; " + PSL + "art 91(1)"),
    "children": ("sons and daughters share, the male twice the female",
                 "الأبناء والبنات للذكر مثل حظ الأنثيين", "Qur'an 4:11"),
    "daughters_fixed": ("a daughter alone 1/2, two or more 2/3", "للبنت النصف وللبنتين فأكثر الثلثان",
                        "Qur'an 4:11"),
    "parents": ("each parent 1/6 with a child; mother 1/3 without a child or two siblings",
                "لكل من الأبوين السدس مع الولد، وللأم الثلث مع عدم الولد والجمع من الإخوة",
                "Qur'an 4:11"),
    "uterine": ("uterine siblings: 1/6 for one, 1/3 shared equally by more",
                "لولد الأم السدس للواحد والثلث للأكثر بالتساوي", "Qur'an 4:12"),
    "sisters": ("full or consanguine sisters: 1/2 for one, 2/3 for more; with brothers 2:1",
                "للأخت النصف وللأختين فأكثر الثلثان ومع الإخوة للذكر مثل حظ الأنثيين",
                "Qur'an 4:176"),
    # Sunni
    "asaba": ("the residue goes to the nearest male agnate: direction, then degree, then "
              "strength of tie", "ما أبقت الفرائض فلأولى رجل ذكر: بالجهة ثم الدرجة ثم قوة القرابة",
              "Bukhari 6732; " + SIRAJIYYA + "bab al-ʿasabat"),
    "takmila": ("a son's daughter with one daughter takes 1/6 to complete two thirds; a "
                "consanguine sister with one full sister likewise",
                "لبنت الابن مع البنت الواحدة السدس تكملة للثلثين، وكذا الأخت لأب مع الشقيقة",
                "Bukhari 6736 (Ibn Masʿud); " + SIRAJIYYA + "bab al-furud"),
    "blessed_kin": ("a son's son makes residuary with him the sons' daughters above him who "
                    "have no share left (al-qarib al-mubarak)",
                    "ابن الابن يعصّب من فوقه من بنات الابن ممن لا فرض لها (القريب المبارك)",
                    SIRAJIYYA + "bab al-furud, banat al-ibn"),
    "sister_with_daughters": ("full or consanguine sisters are residuary with daughters",
                              "الأخوات مع البنات عصبات", "Bukhari 6736; " + SIRAJIYYA),
    "grandfather": ("the true grandfather stands in the father's place when the father is dead",
                    "الجد الصحيح يقوم مقام الأب عند عدمه", SIRAJIYYA + "bab al-furud"),
    "grandmothers": ("true grandmothers share one sixth; the mother excludes them, the father "
                     "those on his side, the nearer the farther",
                     "للجدة أو الجدات الصحيحات المتحاذيات السدس، تحجبهن الأم، ويحجب الأب الأبويات، "
                     "والقربى تحجب البعدى",
                     "Abu Dawud 2894; " + SIRAJIYYA + "bab al-hajb"),
    "hajb": ("a nearer heir excludes a farther one of the same line (ḥajb)",
             "الأقرب يحجب الأبعد (الحجب)", SIRAJIYYA + "bab al-hajb"),
    "awl": ("shares exceeded the estate and were reduced in proportion (ʿawl)",
            "زادت الفروض على التركة فنقصت بنسبها (العول)", "Umar's ruling, consensus; "
            + SIRAJIYYA + "bab al-ʿawl"),
    "radd": ("the surplus was returned to the sharers other than a spouse (radd)",
             "رُدّ الباقي على أصحاب الفروض عدا الزوجين (الرد)", SIRAJIYYA + "bab al-radd"),
    "umariyya": ("mother took one third of the remainder after the spouse (al-ʿumariyyatān)",
                 "للأم ثلث الباقي بعد فرض الزوج (العمريتان)", "Umar's ruling; " + SIRAJIYYA),
    "mushtaraka": ("full siblings shared the uterine siblings' third (al-mushtaraka, Umar; Malik, "
                   "Shafi'i); Abu Hanifa and Ahmad give them nothing",
                   "شارك الأشقاء أولاد الأم في الثلث (المشتركة) عند مالك والشافعي، ولا شيء لهم عند "
                   "أبي حنيفة وأحمد", SIRAJIYYA + "al-mushtaraka"),
    "akdariyya": ("grandfather and sister pooled their shares (al-akdariyya)",
                  "اقتسم الجد والأخت نصيبيهما (الأكدرية)", "Zayd ibn Thabit; " + SIRAJIYYA),
    "grandfather_with_siblings": ("grandfather took the best of sharing, a third of the rest or a "
                                  "sixth (Zayd ibn Thabit's doctrine); Abu Hanifa excludes the "
                                  "siblings", "للجد الأفضل من المقاسمة وثلث الباقي والسدس (مذهب زيد)؛ "
                                  "ويحجب أبو حنيفة الإخوة بالجد", SIRAJIYYA + "bab al-jadd"),
    "hanafi_grandfather": ("the grandfather excludes the siblings (Abu Hanifa)",
                           "الجد يحجب الإخوة (أبو حنيفة)", SIRAJIYYA + "bab al-jadd"),
    "grandmother_nearer_paternal": ("a nearer paternal grandmother excluded a farther maternal one "
                                    "(Hanafi, Hanbali); Malik and al-Shafi'i let them share",
                                    "حجبت الجدة القربى من جهة الأب البعدى من جهة الأم (الحنفية والحنابلة)؛ "
                                    "ويشركهما مالك والشافعي", SIRAJIYYA + "bab al-hajb"),
    "grandmother_through_grandfather": ("a grandmother through the grandfather inherits (Hanafi, "
                                        "Shafi'i, Hanbali); Malik gives her nothing",
                                        "ترث أم أبي الأب عند الحنفية والشافعية والحنابلة، ولا ترث عند مالك",
                                        SIRAJIYYA + "bab al-hajb"),
    "distant_kindred": ("no sharer or agnate but a spouse: the distant kindred (dhawu al-arham) "
                        "inherit before the treasury, by the Hanafi order of classes, degree, "
                        "the heir's child, strength of tie, and Muhammad's division by roots",
                        "لا صاحب فرض ولا عصبة غير الزوجين: يرث ذوو الأرحام قبل بيت المال بترتيب الأصناف "
                        "ثم الدرجة ثم ولد الوارث ثم قوة القرابة ثم قسمة محمد على الأصول",
                        SIRAJIYYA + "bab dhawi al-arham"),
    "kindred_method_hanafi": ("distant kindred divided by the Hanafi method (ahl al-qaraba); the "
                              "tanzil method of the other schools may divide differently",
                              "قُسم بين ذوي الأرحام بطريقة أهل القرابة (الحنفية)، وقد تختلف القسمة "
                              "بطريقة التنزيل عند غيرهم", SIRAJIYYA + "bab dhawi al-arham"),
    "radd_to_spouse": ("no other heir: the rest returned to the spouse (later Hanafi fatwa, the "
                       "treasury not being in order); the earlier doctrine gives it to the treasury",
                       "لا وارث غيره: رُدّ الباقي على الزوج (فتوى متأخري الحنفية لفساد بيت المال)، "
                       "والأصل أنه لبيت المال", "Ibn ʿAbidin, Radd al-Muhtar, k. al-faraʾid"),
    "treasury_subject_to_unlisted_relatives": (
        "the treasury's part goes first to relatives the input does not name, if any exist",
        "ما لبيت المال يُقدَّم عليه أي قريب لم يُذكر إن وُجد", PSL + "art 88"),
    # Ja'fari
    "jafari_classes": ("three classes; a nearer class excludes the farther, and within a class "
                       "the nearer degree the farther", "ثلاث طبقات، الأقرب يحجب الأبعد طبقة ودرجة",
                       SISTANI + "ruling 2745; " + SHARAI + "maratib"),
    "jafari_representation": ("descendants, siblings' and uncles' children take the share of the "
                              "one through whom they are related (per stock), males twice females "
                              "except the uterine line, who share equally",
                              "يرث أولاد الأولاد وأولاد الإخوة والأعمام نصيب من يتقربون به، للذكر مثل "
                              "حظ الأنثيين إلا من تقرب بالأم فبالسوية",
                              SISTANI + "rulings 2745, 2766; " + SHARAI + "al-martaba al-ula"),
    "jafari_siblings_grandparents": ("grandparents share with siblings: the paternal grandfather as "
                                     "a brother, the grandmother as a sister; the mother's side "
                                     "1/3 (1/6 for a lone uterine sibling), equally",
                                     "الجد كالأخ والجدة كالأخت، ولقرابة الأم الثلث (السدس للواحد من ولد الأم) بالسوية",
                                     SISTANI + "rulings 2757-2767; " + SHARAI + "al-martaba al-thaniya"),
    "jafari_uncles": ("uncles and aunts: the father's side 2/3, the mother's 1/3; the uterine "
                      "among them 1/6 for one or 1/3; the father's side males twice females, the "
                      "mother's side equally", "للأعمام الثلثان وللأخوال الثلث، ولمن تقرب بالأم منهم "
                      "السدس أو الثلث، والأعمام للذكر مثل حظ الأنثيين والأخوال بالسوية",
                      SISTANI + "rulings 2770-2778; " + SHARAI + "al-martaba al-thalitha"),
    "wife_excluded_from_land": ("Ja'fari: the wife takes no share of land and only the value of "
                                "buildings and trees", "لا ترث الزوجة من عين الأرض وترث من قيمة البناء والأشجار",
                                SISTANI + "ruling 2782"),
    "settlement_mother_excess": ("part of the estate is left to settlement among the parents and "
                                 "daughter (obligatory precaution)", "جزء من التركة متروك للتصالح بين "
                                 "الأبوين والبنت (احتياط وجوبي)", SISTANI + "ruling 2750"),
    "settlement_ijmaiyya": ("the rest is left to settlement between the paternal half-uncle(s) and "
                            "the full paternal cousin(s)", "الباقي متروك للتصالح بين العم لأب وابن العم الشقيق",
                            SISTANI + "ruling 2745"),
    "ijmaiyya": ("a full paternal cousin excludes a consanguine paternal uncle (al-masʾala "
                 "al-ijmāʿiyya)", "ابن العم الشقيق يحجب العم لأب (المسألة الإجماعية)",
                 SISTANI + "ruling 2745"),
    "assumed_single_stock": ("relatives of one key were assumed to descend from one person; name "
                             "their parents (stocks) to divide per stock",
                             "افتُرض أن الأقارب من صنف واحد فرع لشخص واحد؛ تُذكر الأصول للقسمة على الأصول",
                             SISTANI + "ruling 2745"),
    "jafari_husband_alone": ("a husband alone takes the whole, the rest returned to him",
                             "للزوج وحده الكل فرضاً ورداً", SISTANI + "ruling 2781"),
    # Iraq
    "iraq_art_91_2": ("daughters with no son take the remainder after the parents' and the "
                      "spouse's shares", "البنت أو البنات عند عدم الابن يستحققن الباقي بعد فروض "
                      "الأبوين والزوج", PSL + "art 91(2)"),
    "iraq_art_89_4": ("the full sister excludes like a full brother", "الأخت الشقيقة بحكم الأخ الشقيق في الحجب",
                      PSL + "art 89(4)"),
    "iraq_art_90_hanafi": ("for a Sunni deceased the rules in force before 1959 apply: the Hanafi "
                           "school", "للمتوفى السني تطبق الأحكام الشرعية المرعية قبل 1959: المذهب الحنفي",
                           PSL + "art 90 (as amended by Law 11/1963)"),
    "art_74": ("a child who died before the deceased is deemed alive at the death; what they "
               "would have inherited passes to their children as an obligatory bequest, males "
               "twice females, within one third, before the heirs and other bequests",
               "الولد المتوفى قبل أبيه أو أمه بحكم الحي، وينتقل استحقاقه إلى أولاده وصيةً واجبةً "
               "للذكر مثل حظ الأنثيين في حدود الثلث، مقدَّمةً على الورثة وسائر الوصايا",
               PSL + "art 74 (as amended by Law 72/1979); art 87"),
    "art_74_capped": ("the obligatory bequests exceeded one third and were reduced in proportion",
                      "زادت الوصايا الواجبة على الثلث فرُدّت إليه بنسبها", PSL + "art 74(1)"),
    "art_74_heir_in_own_right": ("a stock whose children inherit in their own right takes no "
                                 "obligatory bequest (the bequest is for those the heirs exclude; "
                                 "the Egyptian source law says so expressly, art 74 is silent)",
                                 "لا وصية واجبة لفرع يرث بنفسه (هي لمن حجبه الورثة؛ ونص عليه القانون المصري "
                                 "مصدر المادة، وسكتت عنه المادة 74)",
                                 "Egyptian Law of Bequest 71/1946 art 76; " + PSL + "art 74"),
    "predeceased_not_iraq": ("the obligatory bequest is a rule of the Iraqi statute: under this "
                             "rule set the stocks are divided as grandchildren only",
                             "الوصية الواجبة حكم قانوني عراقي: قُسم الفروع هنا كأحفاد فقط", PSL + "art 74"),
    # Reserved shares and chained deeds
    "unborn_hanafi": ("a share is held for the unborn child: the larger of one son's or one "
                      "daughter's, the heirs get the least of every outcome",
                      "يوقف للحمل الأكثر من نصيب ابن واحد أو بنت واحدة، ويعطى الورثة الأقل",
                      SIRAJIYYA + "bab al-haml (Abu Yusuf, the fatwa)"),
    "unborn_majority": ("a share is held for the unborn child: the larger of two sons' or two "
                        "daughters', the heirs get the least of every outcome",
                        "يوقف للحمل الأكثر من نصيب ابنين أو بنتين، ويعطى الورثة الأقل",
                        "Ibn Qudama, al-Mughni, k. al-faraʾid, mirath al-haml"),
    "unborn_jafari": ("the share of two sons is held for the unborn child, the heirs get the "
                      "least of every outcome", "يعزل للحمل نصيب ذكرين احتياطاً ويعطى الورثة الأقل",
                      SHARAI + "mirath al-haml"),
    "missing": ("a missing heir's share is held as if alive; every heir gets the least of his "
                "being alive or dead until the court rules", "يوقف نصيب المفقود على أنه حي، ويعطى "
                "كل وارث الأقل من حالتي حياته وموته حتى يحكم القاضي", SIRAJIYYA + "bab al-mafqud"),
    "munasakha": ("an heir died after the deceased and before the division: their share passes "
                  "by their own deed (munasakha)", "مات وارث قبل القسمة فينتقل نصيبه إلى ورثته (المناسخة)",
                  SIRAJIYYA + "bab al-munasakha"),
    "same_person": ("one person holding two relationships inherits by both",
                    "من اجتمعت فيه جهتا إرث ورث بهما", SIRAJIYYA + "bab al-ʿasabat; ruling of Umar and "
                    "ʿAli on the husband who is a cousin"),
}
