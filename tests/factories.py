"""Factories for tests (factory-boy). Role users come with their group set."""

import factory
from django.contrib.auth.models import Group

from servicedesk.models import ServicePoint, User
from servicedesk.roles import Role

TEST_PASSWORD = "test-pass-2026!"


class ServicePointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePoint
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"测试小区{n}")
    code = factory.Sequence(lambda n: "t" + "abcdefghijklmnopqrstuvwxyz"[n % 26] * 2)
    fault_mark = factory.Sequence(lambda n: "T" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[n % 26] * 2)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"员工{n}")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        """``UserFactory(role=Role.CLERK)`` puts the user in that role's group."""
        if create and extracted:
            group, _created = Group.objects.get_or_create(name=Role(extracted).value)
            obj.groups.set([group])
