using System.Net;
using NUnit.Framework;
using Reactor.Storage.Redis;
using StackExchange.Redis;

namespace Reactor.Tests.Unit.Storage;

public sealed class RedisAddressTests
{
    [Test]
    public void A_redis_uri_gives_host_port_password_and_database()
    {
        var options = RedisAddress.Parse("redis://:s%40cret@cache.local:6380/2");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.EndPoints.Single(), Is.EqualTo(new DnsEndPoint("cache.local", 6380)));
            Assert.That(options.Password, Is.EqualTo("s@cret"));
            Assert.That(options.User, Is.Null);
            Assert.That(options.DefaultDatabase, Is.EqualTo(2));
            Assert.That(options.Ssl, Is.False);
            Assert.That(options.AbortOnConnectFail, Is.False);
            Assert.That(options.ConnectTimeout, Is.EqualTo(5000));
        }
    }

    [Test]
    public void A_rediss_uri_with_user_and_password_uses_tls_and_the_default_port()
    {
        var options = RedisAddress.Parse("rediss://app:pw@redis.example.com");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.EndPoints.Single(), Is.EqualTo(new DnsEndPoint("redis.example.com", 6379)));
            Assert.That(options.User, Is.EqualTo("app"));
            Assert.That(options.Password, Is.EqualTo("pw"));
            Assert.That(options.Ssl, Is.True);
            Assert.That(options.SslHost, Is.EqualTo("redis.example.com"));
            Assert.That(options.DefaultDatabase, Is.Null);
        }
    }

    [Test]
    public void User_info_without_a_colon_is_the_password_as_redis_cli_reads_it() =>
        Assert.That(RedisAddress.Parse("redis://secret@localhost").Password, Is.EqualTo("secret"));

    [Test]
    public void An_ip_address_uri_gives_an_ip_endpoint()
    {
        Assert.That(RedisAddress.Parse("redis://127.0.0.1:7000").EndPoints.Single(), Is.EqualTo(new IPEndPoint(IPAddress.Loopback, 7000)));
        Assert.That(RedisAddress.Parse("redis://[::1]:7000").EndPoints.Single(), Is.EqualTo(new IPEndPoint(IPAddress.IPv6Loopback, 7000)));
    }

    [Test]
    public void The_stackexchange_form_is_accepted_with_its_options()
    {
        var options = RedisAddress.Parse("10.0.0.5:6379,password=a://b,ssl=true,connectTimeout=1234", TimeSpan.FromSeconds(9));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.EndPoints.Single(), Is.EqualTo(new IPEndPoint(IPAddress.Parse("10.0.0.5"), 6379)));
            Assert.That(options.Password, Is.EqualTo("a://b"));
            Assert.That(options.Ssl, Is.True);
            Assert.That(options.ConnectTimeout, Is.EqualTo(1234), "the address's own timeout wins");
            Assert.That(options.AbortOnConnectFail, Is.False);
        }
    }

    [Test]
    public void The_callers_connect_timeout_applies_when_the_address_sets_none() =>
        Assert.That(RedisAddress.Parse("localhost:6379", TimeSpan.FromSeconds(9)).ConnectTimeout, Is.EqualTo(9000));

    [Test]
    public void AbortOnConnectFail_is_off_even_when_the_address_asks_for_it() =>
        Assert.That(RedisAddress.Parse("localhost:6379,abortConnect=true").AbortOnConnectFail, Is.False);

    [TestCase("", "empty")]
    [TestCase("   ", "empty")]
    [TestCase("redis://", "names no host")]
    [TestCase("redis://host:notaport", "not a valid URI")]
    [TestCase("redis://host:99999", "not a valid URI")]
    [TestCase("http://host:6379", "scheme 'http'")]
    [TestCase("redis://host:6379/zero", "not a database number")]
    [TestCase("redis://host:6379/0?ssl=true", "query options")]
    [TestCase("host:6379,bogus=1", "bogus")]
    [TestCase(",password=secret", "names no host")]
    public void A_malformed_address_is_refused_saying_why(string address, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => RedisAddress.Parse(address));

        Assert.That(error!.Message, Does.Contain(reason));
        Assert.That(error.Message, Does.Contain("Expected redis://"));
    }

    [TestCase("redis://:hunter2@host:6379/x")]
    [TestCase("host:6379,password=hunter2,bogus=1")]
    [TestCase("rediss://user:hunter2@host:6379?x=1")]
    public void Errors_never_contain_the_password(string address) =>
        Assert.That(() => RedisAddress.Parse(address), Throws.ArgumentException.With.Message.Not.Contain("hunter2"));

    [Test]
    public void Describe_shows_endpoints_without_credentials()
    {
        var options = RedisAddress.Parse("redis://:hunter2@cache.local:6380");

        Assert.That(RedisAddress.Describe(options), Is.EqualTo("cache.local:6380"));
    }

    [Test]
    public void Keys_escape_everything_outside_the_safe_set_one_to_one()
    {
        Assert.That(RedisKeys.Escape("worker_1.a-b"), Is.EqualTo("worker_1.a-b"));
        Assert.That(RedisKeys.Escape("a:b{c} d%"), Is.EqualTo("a%3Ab%7Bc%7D%20d%25"));
        Assert.That(RedisKeys.Escape("☃"), Is.EqualTo("%E2%98%83"));
        Assert.That(RedisKeys.Escape("a%3Ab"), Is.Not.EqualTo(RedisKeys.Escape("a:b")));
        Assert.That(new RedisKeys("reactor").NodeJobs("a:b").ToString(), Is.EqualTo("reactor:node:a%3Ab:jobs"));
        Assert.That(new RedisKeys("reactor").Job("42").ToString(), Is.EqualTo("reactor:job:42"));
    }

    [Test]
    public void A_lone_surrogate_cannot_become_a_key() =>
        Assert.That(() => RedisKeys.Escape("x\ud800"), Throws.ArgumentException);
}
