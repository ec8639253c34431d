"""The exercises' solutions in the whole-book PDF (:mod:`cnnbook.pdf`): gathered at the end of
the book, one section per chapter, instead of printed right under their exercises.

On the site a chapter's solutions are a dropdown under its exercises, closed until a reader
opens it; on paper nothing stays closed, so a reader would see each answer beside its question.
Every chapter's exercises are its last section, so the end of the chapter is no further away:
the solutions move to a chapter of their own at the end of the book. They are linked both ways:
each exercise ends with a link to its solution, and each solution begins with a link back to
its exercise (the n-th item of the exercises' list is answered by the n-th of the solutions').
"""

from __future__ import annotations

#: The words of the printed links and headings, per language of the edition.
WORDS = {
    "en": {"title": "Solutions to the exercises", "solution": "Solution", "exercise": "Exercise",
           "exercises": "Exercises"},
    "ko": {"title": "연습 문제 풀이", "solution": "풀이", "exercise": "문제", "exercises": "연습 문제"},
}
#: The id of the Solutions chapter in the assembled document.
ANCHOR = "p-pdf-solutions"


def words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])


def _exercises(body):
    """A chapter's exercises section (its ids already renamed by cnnbook.pdf), or None."""
    return body.find("section", id=lambda value: bool(value) and value.endswith("--exercises"))


def _items(ol) -> list:
    return ol.find_all("li", recursive=False) if ol is not None else []


def gather(doc, body, chapter: str, title: str, language: str):
    """Take the solutions (the dropdowns of the exercises section) out of one chapter's ``body``
    and return them as its section of the Solutions chapter, linked both ways with the
    exercises; None for a chapter without solutions. ``chapter`` is the chapter's anchor."""
    section = _exercises(body)
    dropdowns = section.select(".admonition.dropdown") if section is not None else []
    if not dropdowns:
        return None
    said = words(language)
    lists = [ol for ol in section.find_all("ol") if not ol.find_parent(class_="admonition")]
    questions = _items(lists[0]) if len(lists) == 1 else []
    part = doc.new_tag("section", attrs={"class": "pdf-solutions-chapter", "id": f"{chapter}--pdf-solutions"})
    heading = doc.new_tag("h2")
    back = doc.new_tag("a", href="#" + section["id"])
    back.string = title
    heading.append(back)
    part.append(heading)
    for dropdown in dropdowns:
        dropdown.extract()
        for tag in dropdown.select(".admonition-title"):
            tag.decompose()
        answers = _items(dropdown.find("ol", recursive=False))
        if questions and len(answers) == len(questions):
            for number, (question, answer) in enumerate(zip(questions, answers), start=1):
                question["id"] = f"{chapter}--pdf-exercise-{number}"
                answer["id"] = f"{chapter}--pdf-solution-{number}"
                forward = doc.new_tag("a", href=f"#{answer['id']}", attrs={"class": "pdf-to-solution"})
                forward.string = f"{said['solution']} \u2192"
                (question.find_all("p", recursive=False) or [question])[-1].append(forward)
                backward = doc.new_tag("a", href=f"#{question['id']}", attrs={"class": "pdf-to-exercise"})
                backward.string = f"\u2190 {said['exercise']}"
                (answer.find("p", recursive=False) or answer).insert(0, backward)
        dropdown["class"] = ["pdf-solutions"]
        part.append(dropdown)
    forward = doc.new_tag("p", attrs={"class": "pdf-to-solutions"})
    link = doc.new_tag("a", href=f"#{part['id']}", attrs={"class": "pdf-to-solution"})
    link.string = f"\u2192 {said['title']}"
    forward.append(link)
    section.append(forward)
    return part


def chapter(doc, parts: list, language: str):
    """The Solutions chapter: the gathered sections in book order."""
    said = words(language)
    div = doc.new_tag("div", attrs={"class": "pdf-chapter pdf-solutions-book", "id": ANCHOR})
    heading = doc.new_tag("h1")
    heading.string = said["title"]
    div.append(heading)
    for part in parts:
        div.append(part)
    return div
